//! The `command` driver: its actions run programs the operator configures (`uhubctl`, `virsh`,
//! vendor CLIs), what users of maaspower's `CommandLine` device migrate to. `on_command`,
//! `off_command` and `query_command` are each a JSON array of strings or shell-like words
//! (`words.rs`), never run by a shell; `{node}`, `{outlet}`, `{args}` (any non-secret parameter)
//! are substituted inside one argument (`template.rs`), all at `open`, so a bad configuration
//! fails before anything runs. `query` searches the query program's stdout with
//! `query_on_regex`, then `query_off_regex`. The secret reaches the programs only as the
//! environment variable `POWERPLUG_SECRET`. Every program runs through plugin-sdk's
//! `run_program` (cleared environment, timeout, capped output); failures quote an escaped excerpt
//! of its output (`excerpt.rs`) with the secret masked.

mod excerpt;
mod template;
mod words;

use std::time::Duration;

use plugin_sdk::program::{run_program, ProgramCall, ProgramError, ProgramOutput};
use plugin_sdk::{CallOutcome, DriverError, DriverInfo, ParamKind, ParamSpec, Params, PowerAction, PowerState, Secret};
use regex::Regex;

use template::Piece;
pub use words::{command_words, split_words, SplitError};

/// The environment variable that carries the `secret` parameter to every program.
pub const SECRET_ENV: &str = "POWERPLUG_SECRET";

const ON: &str = "on_command";
const OFF: &str = "off_command";
const QUERY: &str = "query_command";
const ON_REGEX: &str = "query_on_regex";
const OFF_REGEX: &str = "query_off_regex";

/// At most this many escaped characters of stdout are quoted when a query output matches nothing.
const STDOUT_EXCERPT: usize = 200;
/// At most this many escaped characters of stderr (its end) are quoted when a program fails.
const STDERR_TAIL: usize = 300;

const SYNTAX: &str = "A JSON array of strings, or words split like a POSIX shell splits them (quotes, backslashes) \
                      but never run by one. {node}, {outlet}, {args} are replaced inside one argument ({{ and }} are \
                      literal braces); the secret is in the environment as $POWERPLUG_SECRET.";

/// One configured command: its parameter and its final argv (program first, placeholders filled).
#[derive(Clone, Debug)]
struct Configured {
    param: &'static str,
    argv: Vec<String>,
}

impl Configured {
    fn program(&self) -> &str {
        self.argv.first().map(String::as_str).unwrap_or_default()
    }
}

/// An opened command driver: the argv of each configured action, the query regexes, the timeout
/// and the secret for the programs' environment.
pub struct CommandDriver {
    on: Option<Configured>,
    off: Option<Configured>,
    query: Option<Configured>,
    on_regex: Regex,
    off_regex: Regex,
    timeout: Duration,
    cycle_off: Duration,
    secret: Option<Secret>,
}

/// A text parameter's value, `None` when absent or only white space (MAAS sends unset fields as
/// empty strings).
fn given<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.text(name).filter(|t| !t.trim().is_empty())
}

/// The text form of a non-secret parameter's value, for substitution.
fn value_text(params: &Params, name: &str) -> Option<String> {
    params
        .text(name)
        .map(str::to_owned)
        .or_else(|| params.integer(name).map(|i| i.to_string()))
        .or_else(|| params.port(name).map(|p| p.to_string()))
        .or_else(|| params.bool(name).map(|b| b.to_string()))
        .or_else(|| params.mac(name).map(|m| m.to_string()))
}

/// The value for placeholder `{name}` in command parameter `param`.
fn placeholder(info: &DriverInfo, params: &Params, param: &str, name: &str) -> Result<String, DriverError> {
    let Some(spec) = info.param_spec(name) else {
        let known: Vec<String> = info.params.iter().filter(|p| !p.secret).map(|p| format!("{{{}}}", p.name)).collect();
        return Err(DriverError::invalid_parameter(format!(
            "`{param}` uses the placeholder `{{{name}}}`, but this driver has no parameter `{name}`; \
             placeholders name parameters: {} (write `{{{{` and `}}}}` for literal braces)",
            known.join(", ")
        )));
    };
    if spec.secret {
        return Err(DriverError::invalid_parameter(format!(
            "`{param}` uses the placeholder `{{{name}}}`, but a secret is never put on a command line: \
             the program can read it from the environment variable ${SECRET_ENV} instead"
        )));
    }
    value_text(params, name).filter(|v| !v.is_empty()).ok_or_else(|| {
        DriverError::invalid_parameter(format!("`{param}` uses the placeholder `{{{name}}}`, but `{name}` is not set"))
    })
}

/// The argv of command parameter `param`, or `None` when it is not set.
fn configure(info: &DriverInfo, params: &Params, param: &'static str) -> Result<Option<Configured>, DriverError> {
    let Some(text) = given(params, param) else {
        return Ok(None);
    };
    let bad = |problem: String| DriverError::invalid_parameter(format!("`{param}`: {problem}"));
    let words = command_words(text).map_err(|e| bad(format!("cannot be split into a program and arguments: {e}")))?;
    if words.is_empty() {
        return Err(bad("names no program".to_owned()));
    }
    let mut argv = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let pieces = template::parse(word).map_err(|e| bad(format!("word {} ({word:?}): {e}", i + 1)))?;
        if i == 0 {
            if pieces.iter().any(|p| matches!(p, Piece::Placeholder(_))) {
                return Err(bad(format!(
                    "the program ({word:?}) may not contain placeholders; put them in the arguments"
                )));
            }
            if word.is_empty() {
                return Err(bad("the program name is empty".to_owned()));
            }
        }
        argv.push(template::fill(&pieces, |name| placeholder(info, params, param, name))?);
    }
    Ok(Some(Configured { param, argv }))
}

/// A regex parameter compiled (empty means the default).
fn regex_param(info: &DriverInfo, params: &Params, name: &str) -> Result<Regex, DriverError> {
    let default = info.param_spec(name).and_then(|p| p.default.clone()).unwrap_or_default();
    let pattern = params.text(name).filter(|t| !t.is_empty()).unwrap_or(&default);
    Regex::new(pattern).map_err(|e| {
        // regex's syntax errors span several lines (the pattern, a caret, the problem): keep the
        // problem.
        let text = e.to_string();
        let problem =
            text.lines().find_map(|l| l.strip_prefix("error: ")).map_or_else(|| text.replace('\n', " "), str::to_owned);
        // Unicode case folding is left out of this build (its tables are large); ASCII folding is in.
        let problem = if problem.contains("unicode-case") {
            "Unicode case-insensitive matching ((?i)) is not available; write (?i-u) to ignore ASCII case".to_owned()
        } else {
            problem
        };
        DriverError::invalid_parameter(format!("`{name}` is not a valid regular expression: {problem}"))
    })
}

impl CommandDriver {
    /// `text` with the secret masked (for excerpts of a program's output).
    fn redact(&self, text: &str) -> String {
        match &self.secret {
            Some(s) if !s.is_empty() => text.replace(s.expose(), "***"),
            _ => text.to_owned(),
        }
    }

    /// The command for `what`, or why it cannot run.
    fn configured<'a>(cmd: &'a Option<Configured>, param: &str, what: &str) -> Result<&'a Configured, DriverError> {
        cmd.as_ref()
            .ok_or_else(|| DriverError::unsupported(format!("cannot {what}: `{param}` is not set for this node")))
    }

    /// What a failed program left on stderr (or stdout when stderr is empty), for a message.
    fn output_tail(&self, out: &ProgramOutput) -> String {
        if !out.stderr.trim().is_empty() {
            format!(": {}", excerpt::tail(&self.redact(&out.stderr), STDERR_TAIL))
        } else if !out.stdout.trim().is_empty() {
            format!(" (nothing on stderr; stdout ended: {})", excerpt::tail(&self.redact(&out.stdout), STDERR_TAIL))
        } else {
            " and printed nothing".to_owned()
        }
    }

    /// Runs `cmd` to a zero exit.
    fn run(&self, cmd: &Configured) -> Result<ProgramOutput, DriverError> {
        let param = cmd.param;
        let program = cmd.program();
        let mut call = ProgramCall::new(program, cmd.argv.iter().skip(1).cloned());
        call.timeout = self.timeout;
        if let Some(s) = &self.secret {
            call.env.push((SECRET_ENV.to_owned(), s.expose().to_owned()));
        }
        plugin_sdk::log::debug!("{param}: running {:?}", cmd.argv);
        let out = run_program(&call).map_err(|e| match e {
            ProgramError::NotFound { .. } => DriverError::missing_program(format!(
                "`{param}`: the program `{program}` is not installed (not found on PATH, or no such file)"
            )),
            ProgramError::TimedOut { after, .. } => DriverError::unreachable(format!(
                "`{param}`: `{program}` did not finish within the timeout of {} s (parameter `timeout`) and was killed",
                after.as_secs()
            )),
            ProgramError::Spawn { source, .. } => {
                DriverError::device(format!("`{param}`: could not start `{program}`: {source}"))
            }
            other => DriverError::device(format!("`{param}`: {other}")),
        })?;
        match out.code {
            Some(0) => {
                plugin_sdk::log::info!("{param}: `{program}` succeeded");
                Ok(out)
            }
            Some(code) => Err(DriverError::device(format!(
                "`{param}`: `{program}` exited with code {code}{}",
                self.output_tail(&out)
            ))),
            None => Err(DriverError::device(format!(
                "`{param}`: `{program}` was killed by a signal{}",
                self.output_tail(&out)
            ))),
        }
    }

    /// The state `stdout` of the query program means.
    fn read_state(&self, stdout: &str) -> Result<PowerState, DriverError> {
        if self.on_regex.is_match(stdout) {
            return Ok(PowerState::On);
        }
        if self.off_regex.is_match(stdout) {
            return Ok(PowerState::Off);
        }
        let printed = if stdout.trim().is_empty() {
            "it printed nothing on stdout".to_owned()
        } else {
            format!("its output began: \"{}\"", excerpt::head(&self.redact(stdout), STDOUT_EXCERPT))
        };
        Err(DriverError::device(format!(
            "the output of `{QUERY}` matched neither `{ON_REGEX}` ({:?}) nor `{OFF_REGEX}` ({:?}); {printed}",
            self.redact(self.on_regex.as_str()),
            self.redact(self.off_regex.as_str()),
        )))
    }
}

impl plugin_sdk::Driver for CommandDriver {
    // Cycle checks both commands are set before running either.
    const OWN_CYCLE: bool = true;

    fn describe() -> DriverInfo {
        let command = |name: &str, label: &str, action: &str| {
            ParamSpec::new(name, label, ParamKind::String)
                .help(format!("The program and arguments run for {action}. {SYNTAX}"))
        };
        DriverInfo::new(
            "command",
            "Runs programs you configure (uhubctl, virsh, vendor CLIs) for on, off and query",
            env!("CARGO_PKG_VERSION"),
        )
        .actions(PowerAction::ALL)
        .real_query()
        .param(command(ON, "Power-on command", "`on` (and the second half of `cycle`)"))
        .param(command(OFF, "Power-off command", "`off` (and the first half of `cycle`)"))
        .param(command(
            QUERY,
            "Power-query command",
            "`query`; its stdout is searched with query_on_regex, then query_off_regex",
        ))
        .param(ParamSpec::new(ON_REGEX, "Query: on regex", ParamKind::String).default_value("on").help(
            "A regular expression searched for in the query command's stdout; a match means on. Tested first. \
             Case-sensitive; (?i-u) makes it ignore ASCII case",
        ))
        .param(ParamSpec::new(OFF_REGEX, "Query: off regex", ParamKind::String).default_value("off").help(
            "A regular expression searched for in the query command's stdout when the on regex did not match; \
             a match means off. Output matching neither is an error",
        ))
        .param(
            ParamSpec::new("node", "Node", ParamKind::String)
                .node_scope()
                .help("This machine's name for the commands (e.g. a virsh domain), as {node}"),
        )
        .param(
            ParamSpec::new("outlet", "Outlet", ParamKind::String)
                .node_scope()
                .help("This machine's outlet or port (e.g. a uhubctl port), as {outlet}"),
        )
        .param(
            ParamSpec::new("args", "Extra argument", ParamKind::String)
                .help("Any text the commands need (e.g. a hub location or a URI), as {args}; always one argument"),
        )
        .param(ParamSpec::new("secret", "Secret", ParamKind::Password).help(
            "A password or token for the programs: passed only in their environment as $POWERPLUG_SECRET, \
             never on a command line",
        ))
        .param(
            ParamSpec::new(plugin_sdk::CYCLE_OFF_PARAM, "Cycle: off time (ms)", ParamKind::integer(0, 600_000))
                .default_value("5000")
                .help("How long `cycle` keeps the machine off between off_command and on_command"),
        )
        .param(
            ParamSpec::new("timeout", "Timeout (s)", ParamKind::integer(1, 3600))
                .default_value("30")
                .help("Seconds each program may run before it is killed"),
        )
    }

    fn open(params: &Params) -> Result<Self, DriverError> {
        let info = Self::describe();
        if [ON, OFF, QUERY].iter().all(|p| given(params, p).is_none()) {
            return Err(DriverError::invalid_parameter(format!(
                "none of `{ON}`, `{OFF}` and `{QUERY}` is set; set at least one"
            )));
        }
        Ok(Self {
            on: configure(&info, params, ON)?,
            off: configure(&info, params, OFF)?,
            query: configure(&info, params, QUERY)?,
            on_regex: regex_param(&info, params, ON_REGEX)?,
            off_regex: regex_param(&info, params, OFF_REGEX)?,
            timeout: Duration::from_secs(params.integer("timeout").unwrap_or(30).clamp(1, 3600).unsigned_abs()),
            cycle_off: Duration::from_millis(
                params.integer(plugin_sdk::CYCLE_OFF_PARAM).unwrap_or(5000).unsigned_abs(),
            ),
            secret: params.secret("secret").cloned(),
        })
    }

    fn on(&self) -> Result<CallOutcome, DriverError> {
        let cmd = Self::configured(&self.on, ON, "switch on")?;
        self.run(cmd)?;
        Ok(CallOutcome::default().note(format!("`{ON}` ran `{}`", cmd.program())))
    }

    fn off(&self) -> Result<CallOutcome, DriverError> {
        let cmd = Self::configured(&self.off, OFF, "switch off")?;
        self.run(cmd)?;
        Ok(CallOutcome::default().note(format!("`{OFF}` ran `{}`", cmd.program())))
    }

    /// `off`, then `on`; refused before anything runs unless both are set, so a cycle never
    /// leaves a machine off for want of an `on_command`.
    fn cycle(&self) -> Result<CallOutcome, DriverError> {
        let off = Self::configured(&self.off, OFF, "cycle")?;
        let on = Self::configured(&self.on, ON, "cycle")?;
        plugin_sdk::deadline::fits_off_time(self.cycle_off)?;
        self.run(off)?;
        plugin_sdk::deadline::check("the wait between off and on")?;
        std::thread::sleep(plugin_sdk::deadline::cap(self.cycle_off));
        self.run(on)?;
        Ok(CallOutcome::default().note(format!("`{OFF}` ran `{}`, then `{ON}` ran `{}`", off.program(), on.program())))
    }

    fn query(&self) -> Result<PowerState, DriverError> {
        let cmd = Self::configured(&self.query, QUERY, "read the power state")?;
        let out = self.run(cmd)?;
        self.read_state(&out.stdout)
    }
}

plugin_sdk::export_driver!(CommandDriver);

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use plugin_sdk::conformance::SECRET_SENTINEL;
    use plugin_sdk::{Driver, DriverErrorKind};

    use super::*;

    fn open(pairs: &[(&str, &str)]) -> Result<CommandDriver, DriverError> {
        let raw = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let params = Params::validate(&CommandDriver::describe().params, &raw)
            .map_err(|e| DriverError::invalid_parameter(e.to_string()))?;
        CommandDriver::open(&params)
    }

    fn open_err(pairs: &[(&str, &str)]) -> DriverError {
        match open(pairs) {
            Ok(_) => panic!("{pairs:?} opened"),
            Err(e) => e,
        }
    }

    fn argv(d: &CommandDriver) -> Vec<String> {
        d.on.as_ref().unwrap().argv.clone()
    }

    #[test]
    fn conforms() {
        // The query prints the secret: the kit checks that the error quoting that output masks it.
        plugin_sdk::conformance::assert_conforms::<CommandDriver>(&[
            (ON, "true"),
            (OFF, "false"),
            (QUERY, r#"["printenv", "POWERPLUG_SECRET"]"#),
            ("timeout", "5"),
        ]);
    }

    #[test]
    fn descriptor() {
        let info = CommandDriver::describe();
        assert!(info.problems().is_empty(), "{:?}", info.problems());
        assert_eq!(info.actions, PowerAction::ALL);
        assert!(info.query_is_real);
        assert!(info.param_spec("secret").unwrap().secret);
        assert_eq!(info.param_spec("timeout").unwrap().default.as_deref(), Some("30"));
        assert!(info.params.iter().all(|p| !p.required), "each parameter is optional on its own");
    }

    #[test]
    fn at_least_one_command() {
        let e = open_err(&[("outlet", "2")]);
        assert_eq!(e.kind(), DriverErrorKind::InvalidParameter);
        assert!(e.message().contains("`on_command`, `off_command` and `query_command`"), "{e}");
        assert!(open(&[(ON, "  ")]).is_err(), "white space is not a command");
        let d = open(&[(QUERY, "virsh domstate x")]).unwrap();
        assert!(d.on.is_none() && d.off.is_none());
    }

    #[test]
    fn placeholders_are_filled_inside_one_argument() {
        let d = open(&[
            (ON, r#"["uhubctl", "-l", "{args}", "-p", "{outlet}", "-a", "on", "{{{node}}}"]"#),
            ("outlet", "3"),
            ("node", "a b; rm -rf x"),
            ("args", "1-1.4"),
        ])
        .unwrap();
        assert_eq!(argv(&d), ["uhubctl", "-l", "1-1.4", "-p", "3", "-a", "on", "{a b; rm -rf x}"]);
        let d =
            open(&[(ON, "virsh -c 'qemu:///system' start '{node}' --timeout={timeout}"), ("node", "vm 1")]).unwrap();
        assert_eq!(argv(&d), ["virsh", "-c", "qemu:///system", "start", "vm 1", "--timeout=30"]);
    }

    #[test]
    fn placeholder_errors_name_the_parameter() {
        let e = open_err(&[(OFF, "uhubctl -p {port}")]);
        assert!(e.message().contains("`off_command`") && e.message().contains("`{port}`"), "{e}");
        assert!(e.message().contains("{outlet}") && !e.message().contains("{secret}"), "lists placeholders: {e}");
        let e = open_err(&[(ON, "uhubctl -p {outlet}")]);
        assert!(e.message().contains("`on_command`") && e.message().contains("`outlet` is not set"), "{e}");
        let e = open_err(&[(ON, "uhubctl -p {outlet}"), ("outlet", "")]);
        assert!(e.message().contains("`outlet` is not set"), "empty is not set: {e}");
        let e = open_err(&[(QUERY, "tool --password {secret}"), ("secret", "pw")]);
        assert!(e.message().contains("`query_command`") && e.message().contains("$POWERPLUG_SECRET"), "{e}");
        let e = open_err(&[(ON, "{node}/bin/tool"), ("node", "x")]);
        assert!(e.message().contains("`on_command`") && e.message().contains("the program"), "{e}");
        let e = open_err(&[(ON, "tool {outlet")]);
        assert!(e.message().contains("`on_command`") && e.message().contains("never closed"), "{e}");
        let e = open_err(&[(ON, "tool a}b")]);
        assert!(e.message().contains("`}}`"), "{e}");
        assert_eq!(argv(&open(&[(ON, "tool {{x}}")]).unwrap()), ["tool", "{x}"]);
    }

    #[test]
    fn syntax_errors_name_the_parameter() {
        let e = open_err(&[(OFF, "uhubctl -a 'off")]);
        assert_eq!(e.kind(), DriverErrorKind::InvalidParameter);
        assert!(e.message().contains("`off_command`") && e.message().contains("unbalanced quotes"), "{e}");
        let e = open_err(&[(ON, "virsh start vm | tee log")]);
        assert!(e.message().contains("`on_command`") && e.message().contains("never run by a shell"), "{e}");
        let e = open_err(&[(ON, r#"["virsh", 1]"#)]);
        assert!(e.message().contains("JSON array of strings"), "{e}");
        let e = open_err(&[(ON, "[]")]);
        assert!(e.message().contains("names no program"), "{e}");
        let e = open_err(&[(ON, "'' x")]);
        assert!(e.message().contains("program name is empty"), "{e}");
    }

    #[test]
    fn regexes_are_checked_at_open_and_on_is_tested_first() {
        let e = open_err(&[(QUERY, "x"), (ON_REGEX, "(on")]);
        assert_eq!(e.kind(), DriverErrorKind::InvalidParameter);
        assert!(e.message().contains("`query_on_regex` is not a valid regular expression"), "{e}");
        assert!(!e.message().contains('\n'), "one line: {e}");
        let e = open_err(&[(ON, "x"), (OFF_REGEX, "[a")]);
        assert!(e.message().contains("`query_off_regex`"), "checked even without a query_command: {e}");

        let d = open(&[(QUERY, "x")]).unwrap();
        assert_eq!(d.read_state("Power is on\n").unwrap(), PowerState::On);
        assert_eq!(d.read_state("Power is off\n").unwrap(), PowerState::Off);
        assert_eq!(d.read_state("on/off").unwrap(), PowerState::On, "the on regex is tested first");
        let e = d.read_state("status: UNKNOWN\n\x1b[0m").unwrap_err();
        assert_eq!(e.kind(), DriverErrorKind::Device);
        assert!(
            e.message().contains("matched neither `query_on_regex` (\"on\") nor `query_off_regex` (\"off\")"),
            "{e}"
        );
        assert!(e.message().contains("\"status: UNKNOWN\\u{a}\\u{1b}[0m\""), "escaped excerpt: {e}");
        let e = d.read_state(&"x".repeat(1000)).unwrap_err();
        assert!(e.message().contains(&format!("\"{}…\"", "x".repeat(200))), "{e}");
        assert!(d.read_state("").unwrap_err().message().contains("printed nothing"));

        let d = open(&[(QUERY, "x"), (ON_REGEX, r"^running\b"), (OFF_REGEX, r"(?m)^(shut off|stopped)$")]).unwrap();
        assert_eq!(d.read_state("running\n").unwrap(), PowerState::On);
        assert_eq!(d.read_state("shut off\n").unwrap(), PowerState::Off);
        assert!(d.read_state("runningx\n").is_err(), "\\b");
        let d = open(&[(QUERY, "x"), (ON_REGEX, "(?i-u)^on"), (OFF_REGEX, r"\w+ OFF")]).unwrap();
        assert_eq!(d.read_state("ON").unwrap(), PowerState::On);
        assert_eq!(d.read_state("état OFF").unwrap(), PowerState::Off, "unicode-perl \\w");
        let e = open_err(&[(QUERY, "x"), (ON_REGEX, "(?i)on")]);
        assert!(e.message().contains("write (?i-u) to ignore ASCII case"), "no Unicode case folding: {e}");
        let d = open(&[(QUERY, "x"), (ON_REGEX, "")]).unwrap();
        assert_eq!(d.on_regex.as_str(), "on", "empty means the default");
    }

    #[test]
    fn actions_run_real_programs() {
        let d = open(&[(ON, "true"), (OFF, "false"), (QUERY, "echo running"), (ON_REGEX, "running")]).unwrap();
        assert!(d.on().unwrap().note.unwrap().contains("`true`"));
        let e = d.off().unwrap_err();
        assert_eq!(e.kind(), DriverErrorKind::Device);
        assert!(e.message().contains("`off_command`: `false` exited with code 1 and printed nothing"), "{e}");
        assert_eq!(d.query().unwrap(), PowerState::On);
        assert_eq!(d.cycle().unwrap_err().message(), e.message(), "cycle stops at a failed off");

        let d = open(&[(ON, "ls /powerplug-nonexistent")]).unwrap();
        let e = d.on().unwrap_err();
        assert_eq!(e.kind(), DriverErrorKind::Device);
        assert!(e.message().contains("exited with code 2: ") && e.message().contains("No such file"), "{e}");
    }

    #[test]
    fn stderr_tail_is_short_escaped_and_masks_the_secret() {
        let long = format!("printf '%s\\n%0500d\\ttail-of-it %s' start 0 \"${SECRET_ENV}\" >&2; exit 3");
        let d = open(&[(ON, &format!(r#"["sh", "-c", {long:?}]"#)), ("secret", "hunter2")]).unwrap();
        let e = d.on().unwrap_err();
        let m = e.message();
        assert!(m.contains("exited with code 3: …") && m.ends_with("\\u{9}tail-of-it ***"), "{m}");
        assert!(!m.contains("start") && !m.contains("hunter2") && !m.contains('\n'), "{m}");
        let tail = m.split_once(": …").unwrap().1;
        assert_eq!(tail.chars().count(), 300, "{tail}");
    }

    #[test]
    fn unset_actions_are_unsupported() {
        let d = open(&[(ON, "true")]).unwrap();
        let e = d.off().unwrap_err();
        assert_eq!(e.kind(), DriverErrorKind::UnsupportedAction);
        assert_eq!(e.message(), "cannot switch off: `off_command` is not set for this node");
        let e = d.cycle().unwrap_err();
        assert_eq!(e.message(), "cannot cycle: `off_command` is not set for this node");
        let e = d.query().unwrap_err();
        assert_eq!(e.message(), "cannot read the power state: `query_command` is not set for this node");
        let d = open(&[(OFF, "false")]).unwrap();
        let e = d.cycle().unwrap_err();
        assert_eq!(e.message(), "cannot cycle: `on_command` is not set for this node", "nothing ran: {e}");
    }

    #[test]
    fn missing_programs_timeouts_and_signals() {
        let d = open(&[(ON, "powerplug-no-such-program --x"), (OFF, "/nonexistent/tool")]).unwrap();
        let e = d.on().unwrap_err();
        assert_eq!(e.kind(), DriverErrorKind::MissingProgram);
        assert!(e.message().contains("`on_command`: the program `powerplug-no-such-program` is not installed"), "{e}");
        assert_eq!(d.off().unwrap_err().kind(), DriverErrorKind::MissingProgram);

        let d = open(&[(ON, "sleep 10"), ("timeout", "1"), (OFF, r#"["sh", "-c", "kill -9 $$"]"#)]).unwrap();
        let t = Instant::now();
        let e = d.on().unwrap_err();
        assert_eq!(e.kind(), DriverErrorKind::Unreachable);
        assert!(e.message().contains("within the timeout of 1 s (parameter `timeout`)"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(5));
        let e = d.off().unwrap_err();
        assert_eq!(e.kind(), DriverErrorKind::Device);
        assert!(e.message().contains("killed by a signal"), "{e}");
    }

    #[test]
    fn the_secret_is_in_the_environment_only() {
        let d = open(&[(QUERY, "printenv POWERPLUG_SECRET"), (ON_REGEX, "(?m)^pa ss$"), ("secret", "pa ss")]).unwrap();
        assert_eq!(d.query().unwrap(), PowerState::On);
        let d = open(&[(QUERY, "printenv POWERPLUG_SECRET"), ("secret", SECRET_SENTINEL)]).unwrap();
        let e = d.query().unwrap_err();
        assert!(e.message().contains("\"***\"") && !e.message().contains(SECRET_SENTINEL), "{e}");
        let d = open(&[(QUERY, "printenv POWERPLUG_SECRET"), (OFF_REGEX, "^$")]).unwrap();
        assert!(d.query().is_err(), "no secret, no variable: printenv exits 1");
    }
}
