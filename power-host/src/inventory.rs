//! The inventory: one TOML file naming the **devices** (a switch, PDU or BMC: the parameters
//! its nodes share) and the **nodes** (machines) that `serve`, `power --node` and
//! `inventory check` act on. Every node is validated against its driver's schema when the file
//! loads; every error names the file, the node or device, the parameter and what was expected.
//!
//! ```toml
//! [device.rack1]
//! driver = "dli"
//! power_address = "192.0.2.10"
//! power_pass_file = "/etc/powerplug/secrets/rack1"
//!
//! [node.desk1]
//! device = "rack1"
//! outlet_id = 3
//! ```
//!
//! Keys that are not driver parameters: `driver`, `device` (nodes only), `tags`,
//! `call_timeout` (seconds), `maas_system_id`, `description`. Any parameter `P` may be given as
//! `P_file = PATH` (the file's text, one trailing newline stripped) or `P_env = VAR`. A secret
//! written inline is refused unless the inventory is private to its owner (mode `0?00`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use power_core::{DriverInfo, ParamKind, Params};

use crate::files;

/// Where the inventory is when neither `--inventory` nor [`PATH_VAR`] says otherwise.
pub const DEFAULT_PATH: &str = "/etc/powerplug/inventory.toml";

/// The environment variable naming the inventory file.
pub const PATH_VAR: &str = "POWERPLUG_INVENTORY";

/// The largest inventory file read.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Keys of a node or device table that are not driver parameters.
pub const RESERVED_KEYS: [&str; 6] = ["driver", "device", "tags", "call_timeout", "maas_system_id", "description"];

/// The inventory path: `flag`, else [`PATH_VAR`], else [`DEFAULT_PATH`].
pub fn resolve_path(flag: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| env(PATH_VAR).filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PATH))
}

/// Everything wrong with an inventory (never empty).
#[derive(Debug, Clone, thiserror::Error)]
pub struct InventoryError {
    /// The file.
    pub path: PathBuf,
    /// One line per problem, each naming the node or device and the parameter.
    pub problems: Vec<String>,
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "inventory {}: {one}", self.path.display()),
            many => {
                write!(f, "inventory {}: {} problems:", self.path.display(), many.len())?;
                for p in many {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
        }
    }
}

/// Where a parameter's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Inline(String),
    File(PathBuf),
    Env(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Device,
    Node,
}

impl Section {
    fn word(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::Node => "node",
        }
    }
}

/// One `[device.X]` or `[node.X]` table, before validation.
#[derive(Debug, Clone)]
struct Entry {
    section: Section,
    name: String,
    driver: Option<String>,
    device: Option<String>,
    tags: Vec<String>,
    call_timeout: Option<Duration>,
    maas_system_id: Option<String>,
    description: Option<String>,
    params: BTreeMap<String, Source>,
}

impl Entry {
    fn label(&self) -> String {
        format!("{} `{}`", self.section.word(), self.name)
    }
}

/// A parsed inventory whose nodes are not validated against drivers yet.
#[derive(Debug, Clone)]
pub struct RawInventory {
    path: PathBuf,
    mode: u32,
    devices: BTreeMap<String, Entry>,
    nodes: BTreeMap<String, Entry>,
}

/// A node, validated against its driver.
#[derive(Debug, Clone)]
pub struct Node {
    /// The node's name.
    pub name: String,
    /// The driver.
    pub driver: String,
    /// The inventory device it belongs to, if any.
    pub device: Option<String>,
    /// What serialises calls: nodes with the same key never have two calls in flight.
    pub device_key: String,
    /// Tags of the node and of its device.
    pub tags: Vec<String>,
    /// The node's (or its device's) call deadline, overriding the server's.
    pub call_timeout: Option<Duration>,
    /// MAAS's system id for this machine, for `maas webhook`.
    pub maas_system_id: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// The validated parameters.
    pub params: Params,
    /// The secret values among them, for redaction.
    pub secrets: Vec<String>,
}

/// A loaded, validated inventory.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// The file it came from.
    pub path: PathBuf,
    /// Nodes by name.
    pub nodes: BTreeMap<String, Node>,
}

impl Inventory {
    /// Reads, parses and validates the file; `drivers` looks a driver up by name.
    pub fn load<'a>(
        path: &Path,
        drivers: impl Fn(&str) -> Option<&'a DriverInfo>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, InventoryError> {
        RawInventory::read(path)?.validate(drivers, env)
    }

    /// Every secret value of every node (for redaction).
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.nodes.values().flat_map(|n| n.secrets.iter().map(String::as_str))
    }
}

/// Whether `name` is a valid node or device name: `[A-Za-z0-9][A-Za-z0-9._-]{0,62}`.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

impl RawInventory {
    /// Reads and parses the file (regular files only, at most 4 MiB).
    pub fn read(path: &Path) -> Result<Self, InventoryError> {
        let err = |p: String| InventoryError { path: path.to_path_buf(), problems: vec![p] };
        let text = files::read_text(path, MAX_BYTES).map_err(|e| err(e.to_string()))?;
        Self::parse(path, &text.text, text.mode)
    }

    /// Parses inventory text; `mode` is the file's permission bits (for the inline-secret rule).
    pub fn parse(path: &Path, text: &str, mode: u32) -> Result<Self, InventoryError> {
        let err = |p: String| InventoryError { path: path.to_path_buf(), problems: vec![p] };
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| err(format!("not valid TOML: {e}")))?;
        let mut problems = Vec::new();
        let mut devices = BTreeMap::new();
        let mut nodes = BTreeMap::new();
        for (key, value) in table {
            let section = match key.as_str() {
                "device" => Section::Device,
                "node" => Section::Node,
                other => {
                    problems.push(format!(
                        "unknown top-level key `{}`; expected [device.NAME] or [node.NAME] tables",
                        other
                    ));
                    continue;
                }
            };
            let toml::Value::Table(entries) = value else {
                problems.push(format!("`{key}` must be tables like [{key}.NAME]"));
                continue;
            };
            for (name, body) in entries {
                match parse_entry(section, &name, body) {
                    Ok(e) if section == Section::Device => {
                        devices.insert(name, e);
                    }
                    Ok(e) => {
                        nodes.insert(name, e);
                    }
                    Err(mut p) => problems.append(&mut p),
                }
            }
        }
        if problems.is_empty() {
            Ok(Self { path: path.to_path_buf(), mode, devices, nodes })
        } else {
            Err(InventoryError { path: path.to_path_buf(), problems })
        }
    }

    /// The node names, sorted.
    pub fn node_names(&self) -> impl Iterator<Item = &str> {
        self.nodes.keys().map(String::as_str)
    }

    /// The driver `node` uses (its own, or its device's), if the node exists and names one.
    pub fn driver_of(&self, node: &str) -> Option<&str> {
        let n = self.nodes.get(node)?;
        n.driver
            .as_deref()
            .or_else(|| n.device.as_ref().and_then(|d| self.devices.get(d)).and_then(|d| d.driver.as_deref()))
    }

    /// Every driver the inventory names.
    pub fn drivers(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.nodes.keys().filter_map(|n| self.driver_of(n)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Validates every node (and every device, even one no node uses).
    pub fn validate<'a>(
        &self,
        drivers: impl Fn(&str) -> Option<&'a DriverInfo>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Inventory, InventoryError> {
        let mut problems = Vec::new();
        let mut nodes = BTreeMap::new();
        for (dname, dev) in &self.devices {
            if !self.nodes.values().any(|n| n.device.as_deref() == Some(dname.as_str())) {
                tracing::debug!(device = %dname, "device has no nodes");
            }
            match dev.driver.as_deref() {
                None => problems.push(format!("{}: no `driver`; a device names the driver its nodes use", dev.label())),
                Some(d) if drivers(d).is_none() => {
                    problems.push(format!("{}: unknown driver `{d}` (see `powerplug drivers list`)", dev.label()))
                }
                Some(_) => {}
            }
        }
        for name in self.nodes.keys() {
            match self.resolve(name, &drivers, &env) {
                Ok(n) => {
                    nodes.insert(name.clone(), n);
                }
                Err(mut p) => problems.append(&mut p),
            }
        }
        if problems.is_empty() {
            Ok(Inventory { path: self.path.clone(), nodes })
        } else {
            Err(InventoryError { path: self.path.clone(), problems })
        }
    }

    /// Validates one node only (what `power --node` needs).
    pub fn node<'a>(
        &self,
        name: &str,
        drivers: impl Fn(&str) -> Option<&'a DriverInfo>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Node, InventoryError> {
        self.resolve(name, &drivers, &env).map_err(|problems| InventoryError { path: self.path.clone(), problems })
    }

    fn resolve<'a>(
        &self,
        name: &str,
        drivers: &impl Fn(&str) -> Option<&'a DriverInfo>,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<Node, Vec<String>> {
        let Some(node) = self.nodes.get(name) else {
            let known: Vec<&str> = self.node_names().take(20).collect();
            return Err(vec![format!(
                "no node `{name}`; the inventory has: {}",
                if known.is_empty() { "no nodes".to_owned() } else { known.join(", ") }
            )]);
        };
        let label = node.label();
        let device = match &node.device {
            Some(d) => match self.devices.get(d) {
                Some(dev) => Some(dev),
                None => return Err(vec![format!("{label}: device `{d}` is not defined (no [device.{d}] table)")]),
            },
            None => None,
        };
        let driver_name = match (node.driver.as_deref(), device.and_then(|d| d.driver.as_deref())) {
            (Some(a), Some(b)) if a != b => {
                return Err(vec![format!(
                    "{label}: driver `{a}` differs from its device `{}`'s driver `{b}`",
                    device.map_or("", |d| d.name.as_str())
                )])
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => {
                return Err(vec![format!("{label}: no driver; give `driver = \"...\"` or `device = \"...\"`")])
            }
        };
        let Some(info) = drivers(driver_name) else {
            return Err(vec![format!("{label}: unknown driver `{driver_name}` (see `powerplug drivers list`)")]);
        };
        let mut problems = Vec::new();
        let mut raw = BTreeMap::new();
        let mut secrets = Vec::new();
        for entry in device.into_iter().chain(std::iter::once(node)) {
            for (pname, source) in &entry.params {
                let Some(spec) = info.param_spec(pname) else {
                    let known: Vec<&str> = info.params.iter().map(|p| p.name.as_str()).collect();
                    problems.push(format!(
                        "{}: unknown parameter `{pname}` for driver `{driver_name}`; it takes: {}",
                        entry.label(),
                        known.join(", ")
                    ));
                    continue;
                };
                let value = match source {
                    Source::Inline(v) => {
                        if spec.secret && self.mode & 0o077 != 0 {
                            problems.push(format!(
                                "{}: secret `{pname}` is written inline, but the inventory is readable by group or others (mode {:04o}); use `{pname}_file = PATH` or `{pname}_env = VAR`, or `chmod 600` the inventory",
                                entry.label(),
                                self.mode
                            ));
                            continue;
                        }
                        v.clone()
                    }
                    Source::File(p) => match files::read_secret(p) {
                        Ok(v) => v,
                        Err(e) => {
                            problems.push(format!("{}: `{pname}_file`: {e}", entry.label()));
                            continue;
                        }
                    },
                    Source::Env(var) => match env(var) {
                        Some(v) => v,
                        None => {
                            problems.push(format!(
                                "{}: `{pname}_env` names the environment variable `{var}`, which is not set",
                                entry.label()
                            ));
                            continue;
                        }
                    },
                };
                if spec.secret && !value.is_empty() {
                    secrets.push(value.clone());
                }
                raw.insert(pname.clone(), value);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let where_ = match device {
            Some(d) => format!("{label} (device `{}`, driver `{driver_name}`)", d.name),
            None => format!("{label} (driver `{driver_name}`)"),
        };
        let params = Params::validate(&info.params, &raw)
            .map_err(|e| e.errors().iter().map(|p| format!("{where_}: {p}")).collect::<Vec<_>>())?;
        let device_key = match device {
            Some(d) => format!("device/{}", d.name),
            None => info
                .params
                .iter()
                .find(|s| matches!(s.kind, ParamKind::Host { .. }))
                .and_then(|s| raw.get(&s.name))
                .map_or_else(|| format!("node/{name}"), |addr| format!("{driver_name}@{}", addr.to_ascii_lowercase())),
        };
        let mut tags = device.map(|d| d.tags.clone()).unwrap_or_default();
        tags.extend(node.tags.iter().cloned());
        tags.sort();
        tags.dedup();
        Ok(Node {
            name: name.to_owned(),
            driver: driver_name.to_owned(),
            device: device.map(|d| d.name.clone()),
            device_key,
            tags,
            call_timeout: node.call_timeout.or(device.and_then(|d| d.call_timeout)),
            maas_system_id: node.maas_system_id.clone(),
            description: node.description.clone().or_else(|| device.and_then(|d| d.description.clone())),
            params,
            secrets,
        })
    }
}

fn parse_entry(section: Section, name: &str, body: toml::Value) -> Result<Entry, Vec<String>> {
    let label = format!("{} `{name}`", section.word());
    if !valid_name(name) {
        return Err(vec![format!(
            "{label}: invalid name; names are 1 to 63 of A-Z a-z 0-9 . _ - and start with a letter or digit"
        )]);
    }
    let toml::Value::Table(t) = body else {
        return Err(vec![format!("{label} must be a table ([{}.{name}])", section.word())]);
    };
    let mut e = Entry {
        section,
        name: name.to_owned(),
        driver: None,
        device: None,
        tags: Vec::new(),
        call_timeout: None,
        maas_system_id: None,
        description: None,
        params: BTreeMap::new(),
    };
    let mut problems = Vec::new();
    for (key, value) in t {
        let text = |v: &toml::Value| v.as_str().map(str::to_owned);
        match key.as_str() {
            "driver" | "device" | "maas_system_id" | "description" => {
                let Some(s) = text(&value) else {
                    problems.push(format!("{label}: `{key}` must be a string"));
                    continue;
                };
                match key.as_str() {
                    "driver" => e.driver = Some(s),
                    "device" if section == Section::Device => {
                        problems.push(format!("{label}: a device cannot name a `device`"));
                    }
                    "device" if !valid_name(&s) => problems.push(format!("{label}: `device` names an invalid name")),
                    "device" => e.device = Some(s),
                    "maas_system_id" => e.maas_system_id = Some(s),
                    _ => e.description = Some(s),
                }
            }
            "tags" => match value.as_array().map(|a| a.iter().map(text).collect::<Option<Vec<String>>>()) {
                Some(Some(tags)) if tags.iter().all(|t| valid_name(t)) => e.tags = tags,
                _ => problems.push(format!("{label}: `tags` must be an array of names like [\"rack3\", \"gpu\"]")),
            },
            "call_timeout" => match value.as_integer().or_else(|| value.as_float().map(|f| f as i64)) {
                Some(s) if (1..=3600).contains(&s) => e.call_timeout = Some(Duration::from_secs(s as u64)),
                _ => problems.push(format!("{label}: `call_timeout` must be a number of seconds from 1 to 3600")),
            },
            _ => {
                let (pname, kind) = if let Some(p) = key.strip_suffix("_file") {
                    (p, 1)
                } else if let Some(p) = key.strip_suffix("_env") {
                    (p, 2)
                } else {
                    (key.as_str(), 0)
                };
                let source = match (kind, scalar_text(&value)) {
                    (_, None) => {
                        problems.push(format!(
                            "{label}: parameter `{key}` must be a string, number, boolean or array of strings"
                        ));
                        continue;
                    }
                    (1, Some(p)) => Source::File(PathBuf::from(p)),
                    (2, Some(v)) => Source::Env(v),
                    (_, Some(v)) => Source::Inline(v),
                };
                if e.params.insert(pname.to_owned(), source).is_some() {
                    problems
                        .push(format!("{label}: parameter `{pname}` is given more than once (inline, _file or _env)"));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(e)
    } else {
        Err(problems)
    }
}

/// A TOML value as the parameter text drivers validate: strings as they are, numbers and
/// booleans printed, an array of strings as a JSON array (argv-style parameters).
fn scalar_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Array(a) => {
            let items: Option<Vec<&str>> = a.iter().map(toml::Value::as_str).collect();
            items.map(|i| serde_json::to_string(&i).unwrap_or_default())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use power_core::{ParamSpec, PowerAction};

    fn dli() -> DriverInfo {
        DriverInfo::new("dli", "t", "0")
            .actions([PowerAction::On])
            .param(ParamSpec::new("power_address", "A", ParamKind::host(true, true)).required())
            .param(ParamSpec::new("power_user", "U", ParamKind::String).default_value("admin"))
            .param(ParamSpec::new("power_pass", "P", ParamKind::Password).secret())
            .param(ParamSpec::new("outlet_id", "O", ParamKind::integer(1, 8)).required().node_scope())
    }

    fn load(text: &str, mode: u32) -> Result<Inventory, InventoryError> {
        let info = dli();
        RawInventory::parse(Path::new("inv.toml"), text, mode)?
            .validate(|d| (d == "dli").then_some(&info), |v| (v == "PASS").then(|| "envpw".to_owned()))
    }

    const GOOD: &str = r#"
[device.rack1]
driver = "dli"
power_address = "192.0.2.10"
power_pass_env = "PASS"
tags = ["lab"]

[node.desk1]
device = "rack1"
outlet_id = 3
tags = ["gpu"]

[node.solo]
driver = "dli"
power_address = "192.0.2.11"
outlet_id = 1
"#;

    #[test]
    fn nodes_inherit_their_device_and_get_a_device_key() {
        let inv = load(GOOD, 0o644).unwrap();
        let d = &inv.nodes["desk1"];
        assert_eq!((d.driver.as_str(), d.device_key.as_str()), ("dli", "device/rack1"));
        assert_eq!(d.params.integer("outlet_id"), Some(3));
        assert_eq!(d.params.secret("power_pass").map(|s| s.expose()), Some("envpw"));
        assert_eq!(d.tags, ["gpu", "lab"]);
        assert_eq!(d.secrets, ["envpw"]);
        assert_eq!(inv.nodes["solo"].device_key, "dli@192.0.2.11");
    }

    #[test]
    fn errors_name_the_entry_and_parameter() {
        let cases = [
            (
                "[node.a]\ndriver = \"dli\"\npower_address = \"h\"\n",
                "node `a` (driver `dli`): missing required parameter `outlet_id`",
            ),
            ("[node.a]\ndevice = \"nope\"\n", "node `a`: device `nope` is not defined"),
            ("[node.a]\ndriver = \"x\"\n", "node `a`: unknown driver `x`"),
            ("[node.a]\ndriver = \"dli\"\npower_address = \"h\"\noutlet_id = 9\n", "parameter `outlet_id`"),
            ("[node.a]\ndriver = \"dli\"\nbogus = 1\n", "node `a`: unknown parameter `bogus` for driver `dli`"),
            ("[node.\"a b\"]\ndriver = \"dli\"\n", "node `a b`: invalid name"),
            ("[node.a]\ndriver = \"dli\"\npower_pass_env = \"UNSET\"\n", "`UNSET`, which is not set"),
            ("[node.a]\ndriver = \"dli\"\npower_pass_file = \"/nonexistent/x\"\n", "`power_pass_file`: cannot open"),
            ("[nodes.a]\n", "unknown top-level key `nodes`"),
            ("[node.a]\ndriver = \"dli\"\npower_pass = \"x\"\npower_pass_env = \"PASS\"\n", "more than once"),
            ("[node.a]\ndriver = \"dli\"\ncall_timeout = 0\n", "`call_timeout` must be"),
            ("node = 3\n", "`node` must be tables"),
            ("[node.a\n", "not valid TOML"),
        ];
        for (text, want) in cases {
            let e = load(text, 0o600).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(e.starts_with("inventory inv.toml: "), "{e}");
        }
    }

    #[test]
    fn inline_secrets_need_a_private_file() {
        let text = "[node.a]\ndriver = \"dli\"\npower_address = \"h\"\noutlet_id = 1\npower_pass = \"pw\"\n";
        let e = load(text, 0o640).unwrap_err().to_string();
        assert!(e.contains("secret `power_pass` is written inline") && e.contains("0640"), "{e}");
        assert!(!e.contains("\"pw\""));
        assert!(load(text, 0o600).is_ok());
    }

    #[test]
    fn names() {
        assert!(valid_name("a") && valid_name("node1.rack-3_x") && valid_name(&"a".repeat(63)));
        assert!(!valid_name("") && !valid_name("-a") && !valid_name(&"a".repeat(64)) && !valid_name("a/b"));
    }

    #[test]
    fn arrays_become_json_argv() {
        assert_eq!(scalar_text(&toml::Value::Array(vec!["a b".into(), "c".into()])).as_deref(), Some(r#"["a b","c"]"#));
    }
}
