//! `powerplug inventory check [FILE]`: loads the inventory the way `serve` does (every node
//! validated against its driver's schema) and lists the nodes: driver, device, actions, and
//! whether `status` reads the device or answers the last state set. Exit 2 on any problem.

use std::path::Path;

use anyhow::Result;
use power_core::PowerplugExitCode;
use power_host::inventory::{self, Inventory};
use power_host::registry::Registry;
use serde_json::json;

use crate::error::CliError;
use crate::output;

/// Runs the command.
pub(crate) fn check(reg: &Registry, file: Option<&Path>, json: bool) -> Result<u8> {
    let path = inventory::resolve_path(file, |k| std::env::var(k).ok());
    let inv = Inventory::load(&path, |d| reg.driver(d).map(|e| e.info), |k| std::env::var(k).ok())
        .map_err(|e| CliError::usage(e.to_string()))?;
    let rows: Vec<_> = inv
        .nodes
        .values()
        .map(|n| {
            let info = reg.driver(&n.driver).map(|e| e.info);
            let actions: Vec<&str> = info.map(|i| i.actions.iter().map(|a| a.as_str()).collect()).unwrap_or_default();
            let real = info.is_some_and(|i| i.query_is_real);
            (n, actions, real)
        })
        .collect();
    if json {
        let nodes: Vec<_> = rows
            .iter()
            .map(|(n, actions, real)| {
                json!({
                    "node": n.name,
                    "driver": n.driver,
                    "device": n.device,
                    "device_key": n.device_key,
                    "actions": actions,
                    "query": if *real { "real" } else { "assumed" },
                    "tags": n.tags,
                    "call_timeout_s": n.call_timeout.map(|d| d.as_secs()),
                })
            })
            .collect();
        output::json(&json!({ "inventory": inv.path, "nodes": nodes }));
    } else {
        let mut table = vec![vec!["NODE".into(), "DRIVER".into(), "DEVICE".into(), "ACTIONS".into(), "QUERY".into()]];
        table.extend(rows.iter().map(|(n, actions, real)| {
            vec![
                n.name.clone(),
                n.driver.clone(),
                n.device.clone().unwrap_or_else(|| "-".into()),
                actions.join(","),
                if *real { "real" } else { "assumed" }.to_owned(),
            ]
        }));
        output::table(&table);
        output::line(&format!("{}: {} nodes, all valid", inv.path.display(), inv.nodes.len()));
    }
    Ok(PowerplugExitCode::OK)
}
