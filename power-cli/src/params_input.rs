//! Driver parameters from the three places a user can give them, merged by precedence:
//! `-p NAME=VALUE` over `--params-file` over `POWERPLUG_<NAME>` in the environment. It does not
//! validate (power-core's `Params::validate` does); it warns when a secret is on the command line.

use std::collections::BTreeMap;
use std::path::Path;

use power_core::DriverInfo;

use crate::error::CliError;

/// The raw `name -> value` map for `info`, and warnings to show.
pub(crate) fn gather(
    info: &DriverInfo,
    cli: &[String],
    file: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(BTreeMap<String, String>, Vec<String>), CliError> {
    let mut raw = BTreeMap::new();
    let mut warnings = Vec::new();
    for spec in &info.params {
        if let Some(v) = env(&spec.env_var()) {
            raw.insert(spec.name.clone(), v);
        }
    }
    if let Some(path) = file {
        raw.extend(read_file(path)?);
    }
    let mut seen = std::collections::BTreeSet::new();
    for item in cli {
        let (name, value) = item.split_once('=').ok_or_else(|| {
            CliError::usage("-p expects NAME=VALUE, got an argument without `=` (not shown: it may be a secret)")
        })?;
        let name = name.trim();
        if !seen.insert(name.to_owned()) {
            return Err(CliError::usage(format!("parameter `{name}` is given twice with -p; give it once")));
        }
        if info.param_spec(name).is_some_and(|s| s.secret) {
            warnings.push(format!(
                "secret parameter `{name}` was given on the command line, where other users can see it; use {} or --params-file instead",
                info.param_spec(name).map(|s| s.env_var()).unwrap_or_default()
            ));
        }
        raw.insert(name.to_owned(), value.to_owned());
    }
    Ok((raw, warnings))
}

/// Refuses a `POWERPLUG_<NAME>` variable of `info`'s parameters that is not UTF-8 (instead of
/// reporting the parameter as missing).
pub(crate) fn check_env_text(info: Option<&DriverInfo>) -> Result<(), CliError> {
    for spec in info.map(|i| i.params.as_slice()).unwrap_or_default() {
        let var = spec.env_var();
        if std::env::var_os(&var).is_some_and(|v| v.to_str().is_none()) {
            return Err(CliError::usage(format!("{var} is not valid UTF-8 text (parameter `{}`)", spec.name)));
        }
    }
    Ok(())
}

/// The largest params file read: parameters are a few hundred bytes.
const MAX_PARAMS_FILE: u64 = 256 * 1024;

/// Reads TOML (`name = "value"`, numbers and booleans allowed) or `name=value` lines.
fn read_file(path: &Path) -> Result<BTreeMap<String, String>, CliError> {
    let text = power_host::files::read_text(path, MAX_PARAMS_FILE)
        .map_err(|e| CliError::usage(format!("--params-file: {e}")))?
        .text;
    let is_toml_name = path.extension().is_some_and(|e| e == "toml");
    match text.parse::<toml::Table>() {
        Ok(table) => table
            .into_iter()
            .map(|(k, v)| match v {
                toml::Value::String(s) => Ok((k, s)),
                toml::Value::Integer(i) => Ok((k, i.to_string())),
                toml::Value::Boolean(b) => Ok((k, b.to_string())),
                toml::Value::Float(f) => Ok((k, f.to_string())),
                _ => Err(CliError::usage(format!(
                    "--params-file {}: parameter `{k}` must be a string, number or boolean",
                    path.display()
                ))),
            })
            .collect(),
        Err(e) if is_toml_name => {
            Err(CliError::usage(format!("--params-file {} is not valid TOML: {}", path.display(), e.message())))
        }
        Err(e) => parse_lines(path, &text).map_err(|lines_err| {
            CliError::usage(format!(
                "{}; the file is not TOML either ({}); name it .toml to read it as TOML only",
                lines_err,
                e.message()
            ))
        }),
    }
}

/// `name=value` lines (the rule when the file is not TOML): values are taken as they are, so a
/// quoted value or a repeated name is an error rather than a silent surprise.
fn parse_lines(path: &Path, text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let mut lines_of: BTreeMap<String, usize> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let (n, line) = (n + 1, line.trim());
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |what: String| format!("--params-file {} line {n}: {what}", path.display());
        let (k, v) = line.split_once('=').ok_or_else(|| at("expected name=value".into()))?;
        let (k, v) = (k.trim(), v.trim());
        if v.len() >= 2 && (v.starts_with('"') || v.starts_with('\'')) {
            return Err(at(format!("the value of `{k}` is quoted, but name=value lines take values as they are")));
        }
        if let Some(first) = lines_of.insert(k.to_owned(), n) {
            return Err(at(format!("`{k}` is given again (first on line {first})")));
        }
        out.insert(k.to_owned(), v.to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use power_core::{ParamKind, ParamSpec};
    use std::fs;

    fn info() -> DriverInfo {
        DriverInfo::new("t", "test", "0")
            .param(ParamSpec::new("power_address", "A", ParamKind::String))
            .param(ParamSpec::new("power_pass", "P", ParamKind::Password))
            .param(ParamSpec::new("outlet_id", "O", ParamKind::integer(1, 8)))
    }

    #[test]
    fn precedence_cli_over_file_over_env() {
        let dir = std::env::temp_dir().join(format!("pp-params-{}", std::process::id()));
        fs::write(&dir, "power_address=file-host\n# comment\noutlet_id = 2\n").unwrap();
        let env = |k: &str| match k {
            "POWERPLUG_POWER_ADDRESS" => Some("env-host".to_owned()),
            "POWERPLUG_POWER_PASS" => Some("envpass".to_owned()),
            "POWERPLUG_OUTLET_ID" => Some("1".to_owned()),
            _ => None,
        };
        let (raw, warnings) = gather(&info(), &["outlet_id=3".to_owned()], Some(&dir), env).unwrap();
        assert_eq!(raw["power_address"], "file-host");
        assert_eq!(raw["power_pass"], "envpass");
        assert_eq!(raw["outlet_id"], "3");
        assert!(warnings.is_empty());
        let (_, warnings) = gather(&info(), &["power_pass=x".to_owned()], None, |_| None).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("POWERPLUG_POWER_PASS"));
        fs::write(&dir, "power_address = \"h\"\noutlet_id = 4\n").unwrap();
        let (raw, _) = gather(&info(), &[], Some(&dir), |_| None).unwrap();
        assert_eq!((raw["power_address"].as_str(), raw["outlet_id"].as_str()), ("h", "4"));
        let _ = fs::remove_file(dir);
    }
}
