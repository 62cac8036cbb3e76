//! Fleet actions: one power action on many inventory nodes at once, through the scheduler —
//! parallel across devices, strictly one call at a time per device, power-ons on one device
//! spaced by a stagger, every call under its deadline, one node's failure never stopping the
//! others. `powerplug power … --all|--tag|--node…` and `serve`'s `POST /v1/fleet/{action}`
//! both run here and report the same per-node results.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use power_core::{CallOutcome, DriverInfo, PowerAction, PowerState, PowerplugExitCode};
use serde::Serialize;

use crate::inventory::{Inventory, Node};
use crate::scheduler::{CallSpec, Scheduler};

/// Which nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These nodes, by name.
    Nodes(Vec<String>),
    /// Every node carrying the tag (its own or its device's).
    Tag(String),
    /// Every node.
    All,
}

/// The selected nodes, sorted by name; an unknown name or a tag nothing carries is an error.
pub fn select<'a>(inv: &'a Inventory, sel: &Selection) -> Result<Vec<&'a Node>, String> {
    let nodes: Vec<&Node> = match sel {
        Selection::All => inv.nodes.values().collect(),
        Selection::Tag(t) => inv.nodes.values().filter(|n| n.tags.iter().any(|x| x == t)).collect(),
        Selection::Nodes(names) => {
            let mut out = Vec::new();
            for name in names {
                let n = inv.nodes.get(name).ok_or_else(|| format!("no node `{name}` in the inventory"))?;
                if !out.iter().any(|o: &&Node| o.name == n.name) {
                    out.push(n);
                }
            }
            out.sort_by(|a, b| a.name.cmp(&b.name));
            out
        }
    };
    match (nodes.is_empty(), sel) {
        (true, Selection::Tag(t)) => Err(format!("no node or device in the inventory has the tag `{t}`")),
        (true, _) => Err("the inventory has no nodes".to_owned()),
        _ => Ok(nodes),
    }
}

/// One node's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct NodeResult {
    /// The node.
    pub node: String,
    /// Its inventory device, if any.
    pub device: Option<String>,
    /// The action.
    pub action: String,
    /// `ok` or `failed`.
    pub result: &'static str,
    /// The state after the action or from the query, when known.
    pub state: Option<String>,
    /// Whether `state` is what powerplug last set rather than read from the device.
    pub assumed: bool,
    /// How long the node's call took, queueing included.
    pub ms: u64,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The single-node exit code of the failure (0 when it succeeded).
    pub exit_code: u8,
}

/// A node ready to run: its validated entry, its driver and the plugin providing it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The node.
    pub node: Node,
    /// Its driver's descriptor.
    pub info: DriverInfo,
    /// The plugin file.
    pub plugin: PathBuf,
}

/// How to run a fleet action.
#[derive(Debug, Clone, Copy)]
pub struct FleetOptions {
    /// Each call's deadline (a node's `call_timeout` overrides it).
    pub deadline: Duration,
    /// The least time between power-ons on one device.
    pub stagger: Duration,
}

/// The scheduler's call for `node`.
pub fn call_spec(node: &Node, plugin: PathBuf, act: PowerAction, deadline: Duration, queue: Duration) -> CallSpec {
    CallSpec {
        node: node.name.clone(),
        device_key: node.device_key.clone(),
        plugin,
        driver: node.driver.clone(),
        params_wire: node.params.to_wire(),
        op: act.as_str().to_owned(),
        deadline: node.call_timeout.unwrap_or(deadline),
        max_queue_wait: queue,
        stagger: Duration::ZERO,
    }
}

/// The state powerplug last set for a node (for drivers without a real query).
pub type AssumedState = Arc<dyn Fn(&str) -> Option<PowerState> + Send + Sync>;

/// Hears each node's result as it finishes.
pub type OnResult = Arc<dyn Fn(&NodeResult) + Send + Sync>;

/// Runs `act` on every target; `assumed` answers queries of drivers without a real query;
/// `done` hears each result as it comes. Results come back sorted by node.
pub async fn run(
    scheduler: Arc<Scheduler>,
    targets: Vec<Target>,
    act: PowerAction,
    opts: FleetOptions,
    assumed: AssumedState,
    done: OnResult,
) -> Vec<NodeResult> {
    let mut tasks = Vec::new();
    for t in targets {
        let (scheduler, assumed, done) = (Arc::clone(&scheduler), Arc::clone(&assumed), Arc::clone(&done));
        tasks.push(tokio::spawn(async move {
            let r = one(&scheduler, t, act, opts, assumed.as_ref()).await;
            done(&r);
            r
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        if let Ok(r) = t.await {
            out.push(r);
        }
    }
    out.sort_by(|a, b| a.node.cmp(&b.node));
    out
}

async fn one(
    scheduler: &Scheduler,
    t: Target,
    act: PowerAction,
    opts: FleetOptions,
    assumed: &(dyn Fn(&str) -> Option<PowerState> + Send + Sync),
) -> NodeResult {
    let started = Instant::now();
    let mut r = NodeResult {
        node: t.node.name.clone(),
        device: t.node.device.clone(),
        action: act.as_str().to_owned(),
        result: "ok",
        state: None,
        assumed: false,
        ms: 0,
        message: None,
        exit_code: PowerplugExitCode::OK,
    };
    let fail = |mut r: NodeResult, code: u8, msg: String| {
        r.result = "failed";
        r.exit_code = code;
        r.message = Some(crate::redact::redact(&msg));
        r
    };
    if act == PowerAction::Query && !t.info.query_is_real {
        r.state = Some(assumed(&t.node.name).unwrap_or(PowerState::Unknown).as_str().to_owned());
        r.assumed = true;
        return r;
    }
    if !t.info.supports(act) {
        return fail(r, PowerplugExitCode::UNSUPPORTED_ACTION, t.info.refusal(act));
    }
    // A fleet waits its turn however long the queue: every node is meant to run.
    let mut spec = call_spec(&t.node, t.plugin, act, opts.deadline, Duration::from_secs(24 * 3600));
    spec.stagger = opts.stagger;
    let result = scheduler.run(spec).await;
    r.ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(json) => match serde_json::from_str::<CallOutcome>(&json) {
            Ok(o) => {
                r.state = match (act, o.state) {
                    (PowerAction::Query, s) => Some(s.unwrap_or(PowerState::Unknown).as_str().to_owned()),
                    (_, Some(s)) => Some(s.as_str().to_owned()),
                    (PowerAction::Off, None) => Some("off".to_owned()),
                    (_, None) => Some("on".to_owned()),
                };
                r.assumed = act != PowerAction::Query && o.state.is_none();
                r
            }
            Err(e) => fail(
                r,
                PowerplugExitCode::PLUGIN_FAULT,
                format!("driver `{}` answered malformed JSON: {e}", t.node.driver),
            ),
        },
        Err(e) => fail(r, e.exit_code(), e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::RawInventory;
    use power_core::{ParamKind, ParamSpec};
    use std::path::Path;

    #[test]
    fn selection_by_name_tag_and_all() {
        let info = DriverInfo::new("t", "t", "0").param(ParamSpec::new("a", "A", ParamKind::String));
        let text = "[device.d]\ndriver = \"t\"\ntags = [\"rack3\"]\n[node.b]\ndevice = \"d\"\n[node.a]\ndriver = \"t\"\ntags = [\"gpu\"]\n";
        let inv =
            RawInventory::parse(Path::new("i"), text, 0o600).unwrap().validate(|_| Some(&info), |_| None).unwrap();
        let names = |s: &Selection| select(&inv, s).map(|v| v.iter().map(|n| n.name.clone()).collect::<Vec<_>>());
        assert_eq!(names(&Selection::All).unwrap(), ["a", "b"]);
        assert_eq!(names(&Selection::Tag("rack3".into())).unwrap(), ["b"]);
        assert_eq!(names(&Selection::Nodes(vec!["b".into(), "a".into(), "b".into()])).unwrap(), ["a", "b"]);
        assert!(names(&Selection::Tag("none".into())).unwrap_err().contains("tag `none`"));
        assert!(names(&Selection::Nodes(vec!["zz".into()])).unwrap_err().contains("no node `zz`"));
    }
}
