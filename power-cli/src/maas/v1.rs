//! MAAS generations that run Tempita templates: the Feb-2014 trunk (`power_parameters.py` +
//! `enum.py`), 1.5–1.8 (`power_schema.py`, and `QUERY_POWER_TYPES` from 1.7) and 1.9
//! (`power/schema.py` with password fields and `missing_packages`, its own query list). All
//! emitted Python is valid Python 2.7. The template itself comes from `template.rs`.

use super::edit::{Anchor, Edit};
use super::python;
use super::target::Generation;
use super::Ctx;

/// The registration edits for a template generation.
pub(crate) fn registration(c: &Ctx<'_>) -> Vec<Edit> {
    let name = c.name.as_str();
    let mut edits = Vec::new();
    match c.target.generation {
        Generation::Trunk2014 => {
            edits.push(Edit::Insert {
                path: "src/maasserver/power_parameters.py".into(),
                anchor: Anchor::after("JSON_POWER_TYPE_PARAMETERS = ["),
                lines: schema_entry(c, false),
                what: "the power type's fields, first in JSON_POWER_TYPE_PARAMETERS".into(),
            });
            edits.push(Edit::Insert {
                path: "src/provisioningserver/enum.py".into(),
                anchor: Anchor::after("DEFAULT = ''").within("class POWER_TYPE"),
                lines: vec![
                    String::new(),
                    format!("    # {} (powerplug driver {}).", c.info.description, c.info.name),
                    format!("    {} = {}", c.name.constant(), python::string(name)),
                ],
                what: "a constant in class POWER_TYPE".into(),
            });
            edits.push(Edit::Insert {
                path: "src/provisioningserver/enum.py".into(),
                anchor: Anchor::after("return {").within("def get_power_types"),
                lines: vec![format!("        POWER_TYPE.{}: {},", c.name.constant(), python::string(&c.label()))],
                what: "the power type's label in get_power_types()".into(),
            });
        }
        Generation::V1_5 | Generation::V1_9 => {
            let path = if c.target.generation == Generation::V1_9 {
                "src/provisioningserver/power/schema.py"
            } else {
                "src/provisioningserver/power_schema.py"
            };
            edits.push(Edit::Insert {
                path: path.into(),
                anchor: Anchor::after("JSON_POWER_TYPE_PARAMETERS = ["),
                lines: schema_entry(c, true),
                what: "the power type, first in JSON_POWER_TYPE_PARAMETERS".into(),
            });
            if c.target.has_query_list() && c.queryable() {
                let path = if c.target.generation == Generation::V1_9 {
                    "src/provisioningserver/power/__init__.py"
                } else {
                    "src/provisioningserver/rpc/power.py"
                };
                edits.push(Edit::Insert {
                    path: path.into(),
                    anchor: Anchor::after("QUERY_POWER_TYPES = ["),
                    lines: vec![format!("    {},", python::string(name))],
                    what: "the power type in QUERY_POWER_TYPES (its query is real)".into(),
                });
            }
        }
        _ => {}
    }
    edits
}

/// The `{'name': ..., 'fields': [...]}` dict (with `description` from 1.5).
fn schema_entry(c: &Ctx<'_>, description: bool) -> Vec<String> {
    let mut lines = vec!["    {".to_owned(), format!("        'name': {},", python::string(c.name.as_str()))];
    if description {
        lines.push(format!("        'description': {},", python::string(&c.label())));
    }
    if c.target.generation == Generation::V1_9 {
        let pkgs: Vec<String> = c.missing_package_names().iter().map(|p| python::string(p)).collect();
        lines.push(format!("        'missing_packages': {},", python::list(&pkgs)));
    }
    lines.push("        'fields': [".to_owned());
    for f in c.fields() {
        lines.push(format!("            {},", f.python(c.target)));
    }
    lines.push("        ],".to_owned());
    lines.push("    },".to_owned());
    lines
}
