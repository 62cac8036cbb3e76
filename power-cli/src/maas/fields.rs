//! The MAAS field model of a driver's parameters, per generation: field type (`string`,
//! `mac_address`, `choice`, and `password` from 1.9), choices, default, required, and from 2.x
//! scope and secret. Rendered as Python calls (`make_json_field` / `make_setting_field`) or as
//! JSON for `maas snippets --json`.

use power_core::{ParamKind, ParamSpec, Scope};
use serde_json::{json, Value};

use super::python;
use super::target::{Generation, MaasTarget};

/// Names MAAS reserves in a power type's context: a field named `system_id` shadows the node's
/// id in 1.x templates and is dropped by the 3.5+ agent; the others are set by MAAS itself.
const RESERVED: &[&str] = &["system_id", "power_change", "power_id", "config_dir", "ip_address", "boot_mode"];

/// The MAAS field name for powerplug parameter `param` (`pp_<param>` when MAAS reserves it).
pub(crate) fn field_name(param: &str) -> String {
    if RESERVED.contains(&param) {
        format!("pp_{param}")
    } else {
        param.to_owned()
    }
}

/// One MAAS power-parameter field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MaasField {
    /// The field's name in MAAS.
    pub(crate) name: String,
    /// The powerplug parameter it feeds.
    pub(crate) param: String,
    pub(crate) label: String,
    pub(crate) field_type: &'static str,
    pub(crate) choices: Vec<(String, String)>,
    pub(crate) default: String,
    pub(crate) required: bool,
    pub(crate) node_scope: bool,
    pub(crate) secret: bool,
}

/// The fields for `params` as `target` models them.
pub(crate) fn fields(params: &[ParamSpec], target: MaasTarget) -> Vec<MaasField> {
    params.iter().map(|p| field(p, target)).collect()
}

fn field(p: &ParamSpec, target: MaasTarget) -> MaasField {
    // `password` fields exist from 1.8; earlier releases coerce unknown types to `string`.
    let passwords = target.generation != Generation::Trunk2014 && target.version >= (1, 8);
    let (field_type, choices) = match &p.kind {
        ParamKind::MacAddress => ("mac_address", vec![]),
        ParamKind::Choice { choices } => {
            ("choice", choices.iter().map(|c| (c.value.clone(), c.label.clone())).collect())
        }
        ParamKind::Boolean => {
            ("choice", vec![("true".to_owned(), "Yes".to_owned()), ("false".to_owned(), "No".to_owned())])
        }
        _ if p.secret && passwords => ("password", vec![]),
        _ => ("string", vec![]),
    };
    let mut label = p.label.clone();
    if let ParamKind::Integer { min: Some(lo), max: Some(hi) } = p.kind {
        label.push_str(&format!(" ({lo}-{hi})"));
    }
    MaasField {
        name: field_name(&p.name),
        param: p.name.clone(),
        label,
        field_type,
        choices,
        default: p.default.clone().unwrap_or_default(),
        required: p.required,
        node_scope: p.scope == Scope::Node,
        secret: p.secret,
    }
}

impl MaasField {
    /// The field as a Python call: `make_json_field(...)` (1.x) or `make_setting_field(...)` (2.x).
    pub(crate) fn python(&self, target: MaasTarget) -> String {
        let mut args = vec![python::string(&self.name), python::string(&self.label)];
        if self.field_type != "string" {
            args.push(format!("field_type={}", python::string(self.field_type)));
        }
        if !self.choices.is_empty() {
            let pairs: Vec<String> =
                self.choices.iter().map(|(v, l)| python::list(&[python::string(v), python::string(l)])).collect();
            args.push(format!("choices={}", python::list(&pairs)));
        }
        if !self.default.is_empty() {
            args.push(format!("default={}", python::string(&self.default)));
        }
        if self.required {
            args.push("required=True".to_owned());
        }
        if target.generation >= Generation::V2_2 {
            if self.node_scope {
                args.push("scope=SETTING_SCOPE.NODE".to_owned());
            }
            // `make_setting_field(secret=...)` exists from 3.3; earlier releases raise TypeError.
            if self.secret && target.version >= (3, 3) {
                args.push("secret=True".to_owned());
            }
            format!("make_setting_field({})", args.join(", "))
        } else {
            format!("make_json_field({})", args.join(", "))
        }
    }

    /// The field as the JSON MAAS builds from that call.
    pub(crate) fn json(&self, target: MaasTarget) -> Value {
        let choices: Vec<Value> = self.choices.iter().map(|(v, l)| json!([v, l])).collect();
        let mut v = json!({
            "name": self.name,
            "label": self.label,
            "required": self.required,
            "field_type": self.field_type,
            "choices": choices,
            "default": self.default,
        });
        if target.generation >= Generation::V2_2 {
            v["scope"] = json!(if self.node_scope { "node" } else { "bmc" });
            if target.version >= (3, 3) {
                v["secret"] = json!(self.secret);
            }
        }
        v
    }
}
