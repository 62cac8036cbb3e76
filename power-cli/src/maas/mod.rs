//! MAAS integration: everything `powerplug maas template|snippets|patch` emits for a driver, per
//! MAAS generation. `target` names generations, `naming` the power type, `fields` the field
//! model, `template` the Tempita templates, `v1` and `v2` the registration edits of each
//! generation, `edit` and `patch` turn edits into instructions or unified diffs, `anchors` holds
//! the known file fragments used when no MAAS checkout is given, `tree` reads a checkout.
//! Nothing here prints; `commands/maas.rs` does.

pub(crate) mod anchors;
pub(crate) mod edit;
pub(crate) mod fields;
pub(crate) mod naming;
pub(crate) mod patch;
pub(crate) mod python;
pub(crate) mod target;
pub(crate) mod template;
pub(crate) mod tree;
pub(crate) mod v1;
pub(crate) mod v2;
pub(crate) mod webhook;

use power_core::{DriverInfo, PowerAction};
use serde_json::{json, Value};

use edit::Edit;
use fields::MaasField;
use naming::TypeName;
use target::{Generation, MaasTarget};
use template::Style;

/// What every emitter needs: the driver, the target and the power type's name.
pub(crate) struct Ctx<'a> {
    pub(crate) info: &'a DriverInfo,
    pub(crate) target: MaasTarget,
    pub(crate) name: TypeName,
}

impl Ctx<'_> {
    /// Whether MAAS should query this type: only when the driver's query is real.
    pub(crate) fn queryable(&self) -> bool {
        self.info.query_is_real && self.info.supports(PowerAction::Query)
    }

    /// The description MAAS shows in its power type list.
    pub(crate) fn label(&self) -> String {
        format!("{} (powerplug)", self.info.description)
    }

    pub(crate) fn fields(&self) -> Vec<MaasField> {
        fields::fields(&self.info.params, self.target)
    }

    /// The Debian packages a controller needs for this type: powerplug and the driver's programs.
    pub(crate) fn missing_package_names(&self) -> Vec<String> {
        let mut v = vec!["powerplug".to_owned()];
        v.extend(self.info.programs.iter().map(|p| p.debian_package.clone()));
        v
    }

    /// The MAAS field MAAS extracts the BMC's IP address from: `power_address` when the driver
    /// has it as a host (other addresses, such as wake-on-LAN's, are not a BMC's).
    pub(crate) fn ip_field(&self) -> Option<String> {
        self.info
            .param_spec("power_address")
            .filter(|p| matches!(p.kind, power_core::ParamKind::Host { .. }))
            .map(|p| fields::field_name(&p.name))
    }

    /// The driver's programs as a Python tuple of `(program, Debian package)` pairs.
    pub(crate) fn programs_python(&self) -> String {
        let pairs: Vec<String> = self
            .info
            .programs
            .iter()
            .map(|p| format!("({}, {})", python::string(&p.program), python::string(&p.debian_package)))
            .collect();
        format!("({}{})", pairs.join(", "), if pairs.is_empty() { "" } else { "," })
    }

    /// The template's path in the tree (template generations).
    pub(crate) fn template_path(&self) -> String {
        format!("etc/maas/templates/power/{}.template", self.name.as_str())
    }

    /// The Tempita template in `style`.
    /// Whether the driver carries its own native template.
    pub(crate) fn has_native_template(&self) -> bool {
        self.info.extras.get(template::NATIVE_EXTRA).is_some_and(|v| v.is_string())
    }

    pub(crate) fn template(&self, style: Style) -> Result<String, String> {
        if !self.target.uses_templates() {
            return Err(format!(
                "{} runs Python power drivers, not templates: use `powerplug maas snippets` or `maas patch` for it",
                self.target
            ));
        }
        template::template(self.info, self.name.as_str(), self.target, style)
    }

    /// The registration edits (snippets).
    pub(crate) fn registration(&self) -> Vec<Edit> {
        if self.target.uses_templates() {
            v1::registration(self)
        } else {
            let mut e = vec![v2::module(self)];
            e.extend(v2::registration(self));
            e
        }
    }

    /// Every edit a patch makes: the template (1.x) or module (2.x) and the registration.
    pub(crate) fn all_edits(&self, style: Style) -> Result<Vec<Edit>, String> {
        let mut edits = Vec::new();
        if self.target.uses_templates() {
            let style = if style == Style::Native && !self.info.extras.contains_key(template::NATIVE_EXTRA) {
                Style::Delegate
            } else {
                style
            };
            edits.push(Edit::NewFile { path: self.template_path(), content: self.template(style)? });
        }
        edits.extend(self.registration());
        Ok(edits)
    }

    /// The power type as the JSON MAAS builds from the registration (for `snippets --json`).
    pub(crate) fn schema_json(&self) -> Value {
        let fields: Vec<Value> = self.fields().iter().map(|f| f.json(self.target)).collect();
        match self.target.generation {
            Generation::Trunk2014 => json!({ "name": self.name.as_str(), "fields": fields }),
            Generation::V1_5 => json!({ "name": self.name.as_str(), "description": self.label(), "fields": fields }),
            Generation::V1_9 => json!({
                "name": self.name.as_str(),
                "description": self.label(),
                "missing_packages": self.missing_package_names(),
                "fields": fields,
            }),
            Generation::V2_2 | Generation::V3_5 | Generation::V3_6 => {
                // What PowerDriverRegistry.get_schema() emits for this release: chassis from
                // 2.8, can_probe from 2.9 (never can_set_boot_order).
                let mut v = json!({
                    "driver_type": "power",
                    "name": self.name.as_str(),
                    "description": self.label(),
                    "queryable": self.queryable(),
                    "missing_packages": [],
                    "fields": fields,
                });
                if self.target.version >= (2, 8) {
                    v["chassis"] = json!(self.info.chassis);
                }
                if self.target.version >= (2, 9) {
                    v["can_probe"] = json!(false);
                }
                if let Some(field) = self.ip_field() {
                    v["ip_extractor"] = json!({ "field_name": field, "pattern": "^(?P<address>.+?)$" });
                }
                v
            }
        }
    }
}
