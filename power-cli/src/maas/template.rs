//! The Tempita power templates MAAS 1.x (and the Feb-2014 trunk) run: `delegate` (calls
//! `powerplug power …` with parameters in the environment) for any driver, and `native` (a
//! driver's own script using what a MAAS controller has, carried in its descriptor as the extra
//! `maas.native_template`). Both branch explicitly on `on`/`off`/`query` and fail on anything else.

use power_core::{DriverInfo, PowerAction};

use super::target::MaasTarget;

/// The descriptor extra that carries a driver's native template.
pub(crate) const NATIVE_EXTRA: &str = "maas.native_template";

/// Which kind of template to emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Style {
    /// The driver's own script (falls back to `delegate` for drivers without one).
    Native,
    /// A script that runs `powerplug power …`.
    Delegate,
}

/// The template text for `info` as power type `type_name`.
pub(crate) fn template(info: &DriverInfo, type_name: &str, target: MaasTarget, style: Style) -> Result<String, String> {
    match style {
        Style::Native => match info.extras.get(NATIVE_EXTRA).and_then(|v| v.as_str()) {
            Some(native) => Ok(fill_native(native, info, type_name, target)),
            None => Err(format!(
                "driver `{}` carries no native MAAS template; use --style delegate (runs powerplug on the controller)",
                info.name
            )),
        },
        Style::Delegate => Ok(delegate(info, type_name, target)),
    }
}

fn header_vars(text: &str, info: &DriverInfo, type_name: &str, target: MaasTarget) -> String {
    text.replace("@TYPE@", type_name)
        .replace("@DRIVER@", &info.name)
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@TARGET@", &target.label())
}

/// The native template with its placeholders filled; `@FIELD:<param>@` becomes the MAAS field
/// name of powerplug parameter `<param>` (e.g. `system_id` is the field `pp_system_id`).
fn fill_native(native: &str, info: &DriverInfo, type_name: &str, target: MaasTarget) -> String {
    let mut out = header_vars(native, info, type_name, target);
    for p in &info.params {
        out = out.replace(&format!("@FIELD:{}@", p.name), &super::fields::field_name(&p.name));
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn delegate(info: &DriverInfo, type_name: &str, target: MaasTarget) -> String {
    let names: Vec<String> =
        info.params.iter().map(|p| format!("('{}', '{}')", p.name, super::fields::field_name(&p.name))).collect();
    let names = format!("({},)", names.join(", "));
    let exports: Vec<String> = info
        .params
        .iter()
        .map(|p| {
            let var = p.env_var();
            format!("{{{{if _pp['{n}']}}}}{var}={{{{_pp['{n}']}}}}; export {var}{{{{endif}}}}", n = p.name)
        })
        .collect();
    let query = if info.supports(PowerAction::Query) && info.query_is_real {
        format!(
            concat!(
                "        state=$(\"$pp\" --quiet power query {d}) || exit $?\n",
                "        case \"$state\" in\n",
                "            on|off) echo \"$state\" ;;\n",
                "            *) echo \"{t}: the device reported '$state', not on or off\"; exit 1 ;;\n",
                "        esac ;;"
            ),
            d = info.name,
            t = type_name
        )
    } else {
        format!(
            "        echo \"{type_name}: this power type cannot read the power state (driver {} has no real query)\"\n        exit 1 ;;",
            info.name
        )
    };
    header_vars(include_str!("templates/delegate.template"), info, type_name, target)
        .replace("@PARAM_NAMES@", &names)
        .replace("@EXPORTS@", &exports.join("\n"))
        .replace("@QUERY@", &query)
}
