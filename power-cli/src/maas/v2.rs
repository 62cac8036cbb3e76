//! MAAS generations with Python power drivers: 2.2–3.4 (a `PowerDriver` module in
//! `src/provisioningserver/drivers/power/` plus its line in `registry.py`), 3.5 (the same, run
//! through the Go agent and `maas-power`, which drops empty settings: the module treats missing
//! ones as unset) and 3.6+ (plus a `PowerTypeEnum` member). Python 3.

use super::edit::{Edit, Position};
use super::python;
use super::target::Generation;
use super::Ctx;

/// The driver module's path in the tree.
pub(crate) fn module_path(c: &Ctx<'_>) -> String {
    format!("src/provisioningserver/drivers/power/{}.py", c.name.as_str())
}

/// The new driver module.
pub(crate) fn module(c: &Ctx<'_>) -> Edit {
    let settings: Vec<String> = c.fields().iter().map(|f| format!("        {},", f.python(c.target))).collect();
    let query = if c.queryable() {
        "        state = self._run(\"query\", context)\n        return state if state in (\"on\", \"off\") else \"unknown\""
    } else {
        "        # The powerplug driver cannot read the state: answer what this process last set, if anything.\n        return _LAST_STATE.get(_key(context), \"unknown\")"
    };
    let reset = if c.info.supports(power_core::PowerAction::Cycle) {
        "        self._run(\"cycle\", context)\n        _LAST_STATE[_key(context)] = \"on\""
    } else {
        "        raise NotImplementedError()"
    };
    let extractor = ip_extractor(c);
    let pairs: Vec<String> =
        c.fields().iter().map(|f| format!("    {}: {},", python::string(&f.name), python::string(&f.param))).collect();
    let field_to_param = format!("{{\n{}\n}}", pairs.join("\n"));
    let content = include_str!("templates/driver_module.py")
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@TARGET@", &c.target.label())
        .replace("@NAME@", c.name.as_str())
        .replace("@DRIVER@", &c.info.name)
        .replace("@DESCRIPTION@", &c.info.description.replace('"', "'"))
        .replace("@DRIVER_LITERAL@", &python::string(&c.info.name))
        .replace("@PROGRAMS@", &c.programs_python())
        .replace("@FIELD_TO_PARAM@", &field_to_param)
        .replace("@TIMEOUT@", "120")
        .replace("@CLASS@", &c.name.class())
        .replace("@NAME_LITERAL@", &python::string(c.name.as_str()))
        .replace("@CHASSIS@", if c.info.chassis { "True" } else { "False" })
        .replace("@QUERYABLE@", if c.queryable() { "True" } else { "False" })
        .replace("@DESCRIPTION_LITERAL@", &python::string(&c.label()))
        .replace("@SETTINGS@", &settings.join("\n"))
        .replace("@IP_EXTRACTOR@", &extractor)
        .replace("@QUERY_BODY@", query)
        .replace("@RESET_BODY@", reset);
    Edit::NewFile { path: module_path(c), content }
}

/// `make_ip_extractor(...)` on the address field, or `None`.
fn ip_extractor(c: &Ctx<'_>) -> String {
    c.ip_field().map_or_else(|| "None".to_owned(), |f| format!("make_ip_extractor({})", python::string(&f)))
}

/// The registration edits: `registry.py` (and `PowerTypeEnum` from 3.6).
pub(crate) fn registration(c: &Ctx<'_>) -> Vec<Edit> {
    let module = c.name.as_str();
    let registry = "src/provisioningserver/drivers/power/registry.py";
    let mut edits = vec![
        Edit::Insert {
            path: registry.into(),
            key: "import",
            position: Position::Before("power_drivers = [".into()),
            within: None,
            lines: vec![format!("from provisioningserver.drivers.power.{module} import {}", c.name.class())],
            what: "the import of the driver class".into(),
        },
        Edit::Insert {
            path: registry.into(),
            key: "entry",
            position: Position::BeforeClose("power_drivers = [".into()),
            within: None,
            lines: vec![format!("    {}(),", c.name.class())],
            what: "an instance, last in power_drivers".into(),
        },
    ];
    if c.target.generation >= Generation::V3_6 {
        edits.push(Edit::Insert {
            path: "src/maasservicelayer/enums/power_drivers.py".into(),
            key: "enum",
            position: Position::AfterLastAssignment("class PowerTypeEnum".into()),
            within: None,
            lines: vec![format!("    {} = {}", c.name.constant(), python::string(module))],
            what: "a member of PowerTypeEnum (the service layer and the v3 API reject other types)".into(),
        });
    }
    edits
}
