//! `powerplug maas template|snippets|patch`: resolves the driver(s), the target and the power
//! type name, asks `maas::Ctx` for the artifact and prints it. Patches are computed against
//! `--maas-src` when given, else against the known fragments of that release's files.

use anyhow::Result;
use power_core::PowerplugExitCode;

use crate::cli::{MaasArgs, MaasCommand};
use crate::error::CliError;
use crate::maas::naming::TypeName;
use crate::maas::patch::{self, Original};
use crate::maas::target::MaasTarget;
use crate::maas::template::Style;
use crate::maas::tree::Tree;
use crate::maas::{anchors, webhook, Ctx};
use crate::output;
use power_host::registry::Registry;

fn target(args: &MaasArgs) -> Result<MaasTarget, CliError> {
    args.target.parse().map_err(|e: crate::maas::target::UnknownTarget| CliError::usage(e.to_string()))
}

fn ctx<'a>(reg: &'a Registry, driver: &str, args: &MaasArgs, name: Option<&str>) -> Result<Ctx<'a>, CliError> {
    let entry = reg.driver(driver).ok_or_else(|| super::drivers::not_found(reg, driver))?;
    let name = TypeName::choose(&entry.info.name, name).map_err(CliError::usage)?;
    Ok(Ctx { info: entry.info, target: target(args)?, name })
}

/// `maas webhook`: one MAAS CLI command per node.
#[allow(clippy::too_many_arguments)]
fn webhook(
    reg: &Registry,
    inventory: Option<&std::path::Path>,
    nodes: &[String],
    all: bool,
    url: &str,
    system_id: Option<&str>,
    show_token: bool,
    token_file: Option<&std::path::Path>,
    basic_user: Option<&str>,
) -> Result<u8> {
    let env = |k: &str| std::env::var(k).ok();
    let base = webhook::base_url(url).map_err(CliError::usage)?;
    let path = power_host::inventory::resolve_path(inventory, env);
    let inv = power_host::inventory::Inventory::load(&path, |d| reg.driver(d).map(|e| e.info), env)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let names: Vec<&str> =
        if all { inv.nodes.keys().map(String::as_str).collect() } else { nodes.iter().map(String::as_str).collect() };
    if names.is_empty() {
        return Err(CliError::usage("name one or more inventory nodes, or --all").into());
    }
    if system_id.is_some() && names.len() > 1 {
        return Err(CliError::usage(
            "--system-id applies to one node; give `maas_system_id` in the inventory for several",
        )
        .into());
    }
    let creds = if show_token {
        Some(
            power_serve::Credentials::load(token_file, None, env("POWERPLUG_SERVE_TOKEN").as_deref())
                .map_err(CliError::usage)?,
        )
    } else {
        None
    };
    let token = match &creds {
        Some(c) => Some(
            c.first_token()
                .ok_or_else(|| CliError::usage("--show-token needs --token-file FILE or POWERPLUG_SERVE_TOKEN"))?,
        ),
        None => None,
    };
    let auth = match basic_user {
        Some(u) => webhook::Auth::Basic(u),
        None => webhook::Auth::Token(token),
    };
    for (i, name) in names.iter().enumerate() {
        let node = inv
            .nodes
            .get(*name)
            .ok_or_else(|| CliError::usage(format!("inventory {}: no node `{name}`", inv.path.display())))?;
        if i > 0 {
            output::line("");
        }
        output::raw(&webhook::command(node, &base, system_id, &auth));
    }
    Ok(PowerplugExitCode::OK)
}

/// Runs the command.
pub(crate) fn run(reg: &Registry, inventory: Option<&std::path::Path>, cmd: &MaasCommand) -> Result<u8> {
    match cmd {
        MaasCommand::Webhook { nodes, all, url, system_id, show_token, token_file, basic_user } => {
            return webhook(
                reg,
                inventory,
                nodes,
                *all,
                url,
                system_id.as_deref(),
                *show_token,
                token_file.as_deref(),
                basic_user.as_deref(),
            );
        }
        MaasCommand::Template { driver, maas, style } => {
            let c = ctx(reg, driver, maas, maas.name.as_deref())?;
            let style = if *style == Style::Native && !c.has_native_template() {
                output::warning(&format!(
                    "driver `{}` carries no native MAAS template; emitting the delegate template (it runs powerplug on the controller)",
                    c.info.name
                ));
                Style::Delegate
            } else {
                *style
            };
            let text = c.template(style).map_err(CliError::usage)?;
            output::raw(&text);
        }
        MaasCommand::Snippets { driver, maas, json } => {
            let c = ctx(reg, driver, maas, maas.name.as_deref())?;
            if *json {
                output::json(&c.schema_json());
            } else {
                output::line(&format!(
                    "# Registration of power type {} (powerplug driver {}) for {}.",
                    c.name.as_str(),
                    c.info.name,
                    c.target
                ));
                if c.target.uses_templates() {
                    output::line(&format!(
                        "# Also install the template as {} (powerplug maas template {} --maas {}).",
                        c.template_path(),
                        c.info.name,
                        c.target.label()
                    ));
                }
                for e in c.registration() {
                    output::line("");
                    output::raw(&e.describe());
                }
            }
        }
        MaasCommand::Patch { drivers, more, all, maas, maas_src, style } => {
            let mut names: Vec<String> = drivers.iter().chain(more).cloned().collect();
            if *all {
                names.extend(reg.drivers().iter().map(|d| d.info.name.clone()));
            }
            names.dedup();
            if names.is_empty() {
                return Err(CliError::usage("name a driver, --driver DRIVER or --all").into());
            }
            if names.len() > 1 && maas.name.is_some() {
                return Err(
                    CliError::usage("--name applies to one driver; drop it to use the pp_<driver> names").into()
                );
            }
            let t = target(maas)?;
            let tree = maas_src.as_deref().map(|p| Tree::open(p, t)).transpose().map_err(CliError::usage)?;
            let mut edits = Vec::new();
            for d in &names {
                let c = ctx(reg, d, maas, maas.name.as_deref())?;
                let mine = c.all_edits(*style).map_err(CliError::usage)?;
                if let Some(tree) = &tree {
                    let edited: Vec<&str> = mine
                        .iter()
                        .filter(|e| !matches!(e, crate::maas::edit::Edit::NewFile { .. }))
                        .map(|e| e.path())
                        .collect();
                    let new: Vec<&str> = mine
                        .iter()
                        .filter(|e| matches!(e, crate::maas::edit::Edit::NewFile { .. }))
                        .map(|e| e.path())
                        .collect();
                    if let Some(where_) = tree.name_in_use(c.name.as_str(), &edited, &new) {
                        return Err(CliError::usage(format!(
                            "power type name `{}` is already in use in --maas-src ({where_}); choose another with --name",
                            c.name.as_str()
                        ))
                        .into());
                    }
                }
                edits.extend(mine);
            }
            let original = |path: &str| -> Result<Original, String> {
                match &tree {
                    Some(tree) => Ok(Original::Whole(tree.read(path)?)),
                    None => anchors::fragment(t, path),
                }
            };
            let diff = patch::diff(&edits, &original).map_err(CliError::usage)?;
            output::raw(&diff);
        }
    }
    Ok(PowerplugExitCode::OK)
}
