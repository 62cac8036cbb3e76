//! MAAS generations that run Tempita templates: the Feb-2014 trunk (`power_parameters.py` +
//! `enum.py`), 1.5–1.8 (`power_schema.py`, and `QUERY_POWER_TYPES` from 1.7) and 1.9
//! (`power/schema.py`, its own query list, and a stub driver in `unregistered_power_drivers`,
//! without which 1.9 refuses the type as unknown). Emitted Python is valid Python 2.7.

use super::edit::{Edit, Position};
use super::python;
use super::target::Generation;
use super::Ctx;

fn insert(
    path: &str,
    key: &'static str,
    position: Position,
    within: Option<&'static str>,
    lines: Vec<String>,
    what: &str,
) -> Edit {
    Edit::Insert { path: path.into(), key, position, within, lines, what: what.into() }
}

/// The registration edits for a template generation.
pub(crate) fn registration(c: &Ctx<'_>) -> Vec<Edit> {
    let name = c.name.as_str();
    let mut edits = Vec::new();
    let schema_path = match c.target.generation {
        Generation::Trunk2014 => "src/maasserver/power_parameters.py",
        Generation::V1_9 => "src/provisioningserver/power/schema.py",
        _ => "src/provisioningserver/power_schema.py",
    };
    edits.push(insert(
        schema_path,
        "schema",
        Position::BeforeClose("JSON_POWER_TYPE_PARAMETERS = [".into()),
        None,
        schema_entry(c),
        "the power type's fields, last in JSON_POWER_TYPE_PARAMETERS",
    ));
    if c.target.generation == Generation::Trunk2014 {
        edits.push(insert(
            "src/provisioningserver/enum.py",
            "label",
            Position::BeforeClose("return {".into()),
            Some("def get_power_types"),
            vec![format!("        {}: {},", python::string(name), python::string(&c.label()))],
            "the power type's label in get_power_types()",
        ));
        edits.push(insert(
            "src/provisioningserver/enum.py",
            "const",
            Position::AfterLastAssignment("class POWER_TYPE".into()),
            None,
            vec![
                String::new(),
                format!("    # {} (powerplug driver {})", c.info.description, c.info.name),
                format!("    {} = {}", c.name.constant(), python::string(name)),
            ],
            "a constant in class POWER_TYPE",
        ));
    }
    if c.target.has_query_list() && c.queryable() {
        let path = if c.target.generation == Generation::V1_9 {
            "src/provisioningserver/power/__init__.py"
        } else {
            "src/provisioningserver/rpc/power.py"
        };
        edits.push(insert(
            path,
            "query",
            Position::IntoList("QUERY_POWER_TYPES = [".into()),
            None,
            vec![python::string(name)],
            "the power type in QUERY_POWER_TYPES (its query is real)",
        ));
    }
    if c.target.generation == Generation::V1_9 {
        edits.push(stub_module(c));
        let init = "src/provisioningserver/drivers/power/__init__.py";
        edits.push(insert(
            init,
            "import",
            Position::Before("registered_power_drivers = [".into()),
            None,
            vec![format!("from provisioningserver.drivers.power.{name} import {}", c.name.class())],
            "the import of the stub driver",
        ));
        edits.push(insert(
            init,
            "entry",
            Position::BeforeClose("unregistered_power_drivers = [".into()),
            None,
            vec![format!("    {}(),", c.name.class())],
            "the stub driver, last in unregistered_power_drivers (so MAAS runs the template)",
        ));
    }
    edits
}

/// The `{'name': ..., 'fields': [...]}` dict (with `description` from 1.5).
fn schema_entry(c: &Ctx<'_>) -> Vec<String> {
    let mut lines = vec!["    {".to_owned(), format!("        'name': {},", python::string(c.name.as_str()))];
    if c.target.generation != Generation::Trunk2014 {
        lines.push(format!("        'description': {},", python::string(&c.label())));
    }
    lines.push("        'fields': [".to_owned());
    for f in c.fields() {
        lines.push(format!("            {},", f.python(c.target)));
    }
    lines.push("        ],".to_owned());
    lines.push("    },".to_owned());
    lines
}

/// The 1.9 stub driver: it only names the type and reports missing packages; the template runs.
fn stub_module(c: &Ctx<'_>) -> Edit {
    let content = include_str!("templates/stub_driver_1_9.py")
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@NAME@", c.name.as_str())
        .replace("@DRIVER@", &c.info.name)
        .replace("@CLASS@", &c.name.class())
        .replace("@NAME_LITERAL@", &python::string(c.name.as_str()))
        .replace("@DESCRIPTION_LITERAL@", &python::string(&c.label()))
        .replace("@PROGRAMS@", &c.programs_python());
    Edit::NewFile { path: format!("src/provisioningserver/drivers/power/{}.py", c.name.as_str()), content }
}
