//! The command line: clap derive definitions for every flag and subcommand of `powerplug`.
//! Parsing only; `run.rs` dispatches and `commands/` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Power-driver plugins for bare-metal provisioning (MAAS and friends).
#[derive(Debug, Parser)]
#[command(name = "powerplug", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// More logging on stderr: -v progress, -vv detail, -vvv wire-level.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,

    /// No warnings on stderr (errors still print). MAAS templates use it so that query output
    /// is exactly the state.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,

    /// Also search this directory for plugins (repeatable; searched first). A file is loaded
    /// as a plugin whatever its name.
    #[arg(long = "plugin-dir", value_name = "DIR", global = true)]
    pub(crate) plugin_dirs: Vec<PathBuf>,

    /// Search only --plugin-dir and POWERPLUG_PLUGIN_PATH, not the executable's directory or
    /// /usr/lib/powerplug/plugins.
    #[arg(long, global = true)]
    pub(crate) no_default_plugin_dirs: bool,

    /// The inventory of devices and nodes (default: POWERPLUG_INVENTORY, else
    /// /etc/powerplug/inventory.toml).
    #[arg(long, value_name = "FILE", global = true)]
    pub(crate) inventory: Option<PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List and describe the drivers the plugins provide.
    #[command(subcommand)]
    Drivers(DriversCommand),
    /// Run a power action: on, off, cycle or query.
    Power(PowerArgs),
    /// Inspect plugin libraries.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Emit MAAS power templates, registration snippets and patches for a driver.
    #[command(subcommand)]
    Maas(MaasCommand),
    /// Run a device simulator on loopback, to dry-run a setup without hardware.
    #[command(subcommand)]
    Simulate(SimulateCommand),
    /// Check the inventory of devices and nodes.
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// Serve the inventory's nodes to MAAS's `webhook` power type (the MAAS 3.x bridge).
    Serve(ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (powerplug.1), or write every page to --dir.
    Man {
        /// Write powerplug.1 and one page per subcommand (powerplug-serve.1, …) here.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Internal: run one plugin's calls for `serve` (stdin/stdout protocol).
    #[command(hide = true, name = "__worker")]
    Worker {
        /// The plugin file.
        plugin: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum InventoryCommand {
    /// Load and validate the inventory; list its nodes (driver, device, actions, query).
    Check {
        /// The inventory file (default: --inventory, POWERPLUG_INVENTORY, /etc/powerplug/inventory.toml).
        file: Option<PathBuf>,
        /// Machine-readable JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT", default_value = power_serve::DEFAULT_LISTEN)]
    pub(crate) listen: std::net::SocketAddr,
    /// Bearer tokens MAAS may send (`power_token`), one per line. Also POWERPLUG_SERVE_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
    /// Basic users MAAS may send (`power_user`/`power_pass`), `user:password` lines.
    #[arg(long, value_name = "FILE")]
    pub(crate) basic_file: Option<PathBuf>,
    /// Serve without credentials: only on a loopback address.
    #[arg(long)]
    pub(crate) no_auth: bool,
    /// The deadline of one driver call, in seconds (nodes and devices may override it with
    /// `call_timeout`).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) call_timeout: u64,
    /// After SIGTERM or SIGINT, how long in-flight requests may finish, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) grace: u64,
    /// A call stuck this many seconds (past its deadline; its device answers 503 meanwhile) is
    /// abandoned by restarting its plugin's worker, which fails that worker's other running
    /// calls. 0: never.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub(crate) kill_stuck_after: u64,
    /// PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
}

/// Options every `maas` subcommand shares.
#[derive(Debug, Args)]
pub(crate) struct MaasArgs {
    /// The MAAS release: 2014.02, 1.5 to 1.9, 2.2 to 3.4, 3.5, 3.6 or later.
    #[arg(long = "maas", value_name = "TARGET")]
    pub(crate) target: String,
    /// The power type's name in MAAS (default `pp_<driver>`; at most 10 characters).
    #[arg(long)]
    pub(crate) name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MaasCommand {
    /// The Tempita power template (MAAS 1.9 and older, and the Feb-2014 trunk).
    Template {
        /// The driver.
        driver: String,
        #[command(flatten)]
        maas: MaasArgs,
        /// `native`: the driver's own script; `delegate`: a script that runs powerplug.
        #[arg(long, value_enum, default_value = "native")]
        style: crate::maas::template::Style,
    },
    /// The registration code for the MAAS release: files and the lines to add.
    Snippets {
        /// The driver.
        driver: String,
        #[command(flatten)]
        maas: MaasArgs,
        /// Print the power type's MAAS field schema as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// A unified diff (git apply / patch -p1) adding the driver(s) to a MAAS source tree.
    Patch {
        /// The driver(s); see also --driver and --all.
        drivers: Vec<String>,
        /// Another driver (repeatable).
        #[arg(long = "driver", value_name = "DRIVER")]
        more: Vec<String>,
        /// Every loaded driver.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        maas: MaasArgs,
        /// A MAAS checkout: compute the diff against its files (refused if it does not look
        /// like the named release, or already uses the name).
        #[arg(long, value_name = "DIR")]
        maas_src: Option<PathBuf>,
        /// Template style for template generations.
        #[arg(long, value_enum, default_value = "native")]
        style: crate::maas::template::Style,
    },
    /// MAAS CLI commands that point machines at `powerplug serve` (MAAS 3.x, no patching).
    Webhook {
        /// Inventory nodes (see also --all).
        nodes: Vec<String>,
        /// Every node of the inventory.
        #[arg(long)]
        all: bool,
        /// The bridge's base URL as MAAS reaches it, e.g. http://10.0.0.2:8571.
        #[arg(long, value_name = "BASE_URL")]
        url: String,
        /// MAAS's system id of the machine (one node only; otherwise the inventory's
        /// `maas_system_id`, else a placeholder).
        #[arg(long, value_name = "ID")]
        system_id: Option<String>,
        /// Print the first token of --token-file / POWERPLUG_SERVE_TOKEN instead of a placeholder.
        #[arg(long)]
        show_token: bool,
        /// The bridge's token file (for --show-token).
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
        /// Use Basic credentials (MAAS power_user/power_pass) instead of a token.
        #[arg(long, value_name = "USER")]
        basic_user: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum SimulateCommand {
    /// A Digital Loggers Web Power Switch (legacy web interface and REST API).
    Dli(power_sim::dli::DliArgs),
    /// A SeaMicro SM15000 chassis BMC that answers ipmitool's OEM power command.
    Sm15k(power_sim::sm15k::Sm15kArgs),
    /// A wake-on-LAN listener that prints each magic packet's MAC address.
    Wol(power_sim::wol::WolArgs),
    /// A Tasmota smart plug (HTTP `cm` command endpoint).
    Tasmota(power_sim::tasmota::TasmotaArgs),
    /// A Shelly relay, Gen1 (HTTP) or Gen2+ (RPC, Digest SHA-256).
    Shelly(power_sim::shelly::ShellyArgs),
    /// A TP-Link Kasa plug or strip on the legacy local protocol (TCP 9999, XOR).
    Kasa(power_sim::kasa::KasaArgs),
    /// Home Assistant's REST API (states and services, Bearer token).
    Homeassistant(power_sim::homeassistant::HomeAssistantArgs),
    /// An SNMP PDU (APC, Raritan, Eaton, CyberPower) on Net-SNMP's snmpd: v1, v2c and v3.
    #[command(
        long_about = "An SNMP-controlled PDU on loopback: real Net-SNMP snmpd (apt-get install snmpd) answers \
                      SNMPv1, v2c and v3, and powerplug serves the PDU's MIB behind it (snmpd's \
                      pass_persist). Each SET is printed as it is answered.",
        mut_arg("groups", |a| a.hide(true)),
        mut_arg("ports", |a| a.hide(true)),
        mut_arg("no_device", |a| a.hide(true)),
        mut_arg("fault", |a| a.hide(true))
    )]
    Pdu(power_sim::snmp::SnmpArgs),
    /// A PoE switch (POWER-ETHERNET-MIB) on Net-SNMP's snmpd: port power as SNMP sees it.
    #[command(
        long_about = "A PoE switch on loopback: real Net-SNMP snmpd (apt-get install snmpd) answers SNMPv1, \
                      v2c and v3, and powerplug serves POWER-ETHERNET-MIB (RFC 3621) behind it: \
                      pethPsePortAdminEnable switches a port, pethPsePortDetectionStatus shows it. \
                      Each SET is printed as it is answered.",
        mut_arg("model", |a| a.hide(true)),
        mut_arg("outlets", |a| a.hide(true)),
        mut_arg("delay_ms", |a| a.hide(true))
    )]
    Poe(power_sim::snmp::SnmpArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum DriversCommand {
    /// One line per driver: name, actions, description, plugin file.
    List {
        /// Machine-readable JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// A driver's descriptor and parameter table.
    Show {
        /// The driver's name (see `drivers list`).
        driver: String,
        /// Machine-readable JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
    /// Load one plugin file and run the conformance kit's static checks on it.
    Check {
        /// The plugin library (.so).
        file: PathBuf,
    },
    /// Write a new driver crate: skeleton driver, conformance test, fake-device test, README.
    New {
        /// The driver's name: lowercase letters, digits and _ (the plugin file is
        /// libpowerplug_NAME.so).
        name: String,
        /// Where to write the crate (default: ./powerplug-NAME); must not exist or be empty.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Depend on a plugin-sdk checkout or unpacked crate at this path instead of crates.io.
        #[arg(long, value_name = "DIR")]
        sdk_path: Option<PathBuf>,
        /// Use the power-core at this path (a checkout or unpacked crate) instead of crates.io's.
        #[arg(long, value_name = "DIR")]
        core_path: Option<PathBuf>,
    },
}

/// A power action on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ActionArg {
    On,
    Off,
    Cycle,
    Query,
}

#[derive(Debug, Args)]
pub(crate) struct PowerArgs {
    /// What to do. `query` prints exactly `on`, `off` or `unknown`.
    pub(crate) action: ActionArg,
    /// The driver (see `powerplug drivers list`); or give --node, --tag or --all.
    #[arg(required_unless_present_any = ["nodes", "all", "tag"], conflicts_with_all = ["nodes", "all", "tag"])]
    pub(crate) driver: Option<String>,
    /// An inventory node: its driver and parameters come from the inventory. Repeatable: with
    /// several, a fleet run (one table row per node).
    #[arg(long = "node", value_name = "NAME", conflicts_with_all = ["params", "params_file"])]
    pub(crate) nodes: Vec<String>,
    /// Every node of the inventory (a fleet run).
    #[arg(long, conflicts_with_all = ["params", "params_file", "nodes", "tag"])]
    pub(crate) all: bool,
    /// Every node whose own or device's `tags` include TAG (a fleet run).
    #[arg(long, value_name = "TAG", conflicts_with_all = ["params", "params_file", "nodes"])]
    pub(crate) tag: Option<String>,
    /// Fleet runs: at most this many driver calls at once (different devices run in parallel,
    /// one device never runs two calls at once).
    #[arg(long, value_name = "N", default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub(crate) jobs: u64,
    /// Fleet runs: at least this many milliseconds between power-ons on one device (inrush).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub(crate) stagger: u64,
    /// Fleet runs: the results as a JSON array instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Give up on a driver call after this many seconds (exit 5).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub(crate) timeout: u64,
    /// A driver parameter (repeatable). Also read from POWERPLUG_<NAME> in the environment;
    /// prefer that (or --params-file) for secrets.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub(crate) params: Vec<String>,
    /// Parameters from a file: TOML (`name = "value"`) or `name=value` lines.
    #[arg(long, value_name = "FILE")]
    pub(crate) params_file: Option<PathBuf>,
}
