//! `powerplug maas template|snippets|patch`: resolves the driver(s), the target and the power
//! type name, asks `maas::Ctx` for the artifact and prints it. Patches are computed against
//! `--maas-src` when given, else against the known fragments of that release's files.

use anyhow::Result;
use power_core::PowerplugExitCode;

use crate::cli::{MaasArgs, MaasCommand};
use crate::error::CliError;
use crate::host::registry::Registry;
use crate::maas::naming::TypeName;
use crate::maas::patch::{self, Original};
use crate::maas::target::MaasTarget;
use crate::maas::tree::Tree;
use crate::maas::{anchors, Ctx};
use crate::output;

fn target(args: &MaasArgs) -> Result<MaasTarget, CliError> {
    args.target.parse().map_err(|e: crate::maas::target::UnknownTarget| CliError::usage(e.to_string()))
}

fn ctx<'a>(reg: &'a Registry, driver: &str, args: &MaasArgs, name: Option<&str>) -> Result<Ctx<'a>, CliError> {
    let entry = reg.driver(driver).ok_or_else(|| super::drivers::not_found(reg, driver))?;
    let name = TypeName::choose(&entry.info.name, name).map_err(CliError::usage)?;
    Ok(Ctx { info: entry.info, target: target(args)?, name })
}

/// Runs the command.
pub(crate) fn run(reg: &Registry, cmd: &MaasCommand) -> Result<u8> {
    match cmd {
        MaasCommand::Template { driver, maas, style } => {
            let c = ctx(reg, driver, maas, maas.name.as_deref())?;
            let text = c.template(*style).map_err(CliError::usage)?;
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
