//! # power-serve: `powerplug serve`, the MAAS webhook power bridge
//!
//! MAAS 3.x's built-in `webhook` power type POSTs to a URL to switch a machine and GETs one to
//! read its state. This crate answers those URLs for every node of an inventory, through any
//! powerplug driver, with no change to MAAS:
//!
//! - `app`: routing, auth, the call, HTTP status and JSON answers;
//! - `auth`: Bearer tokens and Basic users, compared in constant time;
//! - `metrics`: the Prometheus exposition;
//! - this file: start-up (plugins described by their workers, inventory, credentials), the
//!   accept loop (plain or TLS, bounded connections, header timeouts), SIGHUP reload and
//!   SIGTERM/SIGINT graceful shutdown.
//!
//! It is built on hyper directly (no framework: five routes), on a two-thread tokio runtime;
//! driver calls run in supervised worker processes (`power_host::worker`).

mod app;
mod auth;
mod metrics;

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use power_core::LogLevel;
use power_host::load::LoadedPlugin;
use power_host::redact::redact;
use power_host::registry::{Problem, Registry};
use power_host::worker::pool::{LogSink, WorkerPool};
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

pub use auth::Credentials;

/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8571";

/// At most this many connections are served at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 512;

/// What `powerplug serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The inventory file.
    pub inventory: PathBuf,
    /// The listen address.
    pub listen: SocketAddr,
    /// Bearer tokens, one per line.
    pub token_file: Option<PathBuf>,
    /// `user:password` lines.
    pub basic_file: Option<PathBuf>,
    /// `POWERPLUG_SERVE_TOKEN`.
    pub env_token: Option<String>,
    /// Serve without credentials (loopback only).
    pub no_auth: bool,
    /// The default call deadline.
    pub call_timeout: Duration,
    /// How long in-flight requests may finish after SIGTERM.
    pub grace: Duration,
    /// After how long a call stuck past its deadline is abandoned by restarting its plugin's
    /// worker (`None`: never; the device stays busy until the call returns).
    pub kill_stuck_after: Option<Duration>,
    /// PEM certificate chain and key.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The plugin files, in search-path order, and problems found while listing them.
    pub plugins: (Vec<PathBuf>, Vec<Problem>),
    /// How to start a worker: program and arguments before the plugin path.
    pub worker: (PathBuf, Vec<OsString>),
}

/// Why `serve` could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Bad configuration: usage error.
    #[error("{0}")]
    Config(String),
    /// The inventory or credentials did not load.
    #[error("{0}")]
    Inventory(String),
    /// The listen address could not be bound, or the runtime failed.
    #[error("{0}")]
    Io(String),
}

/// Runs the bridge until SIGTERM or SIGINT. `ready` receives the bound address once listening,
/// `warn` every plugin problem found at start-up.
pub fn run(opts: ServeOptions, ready: &mut dyn FnMut(&str), warn: &mut dyn FnMut(&str)) -> Result<(), ServeError> {
    if opts.no_auth && !opts.listen.ip().is_loopback() {
        return Err(ServeError::Config(format!(
            "--no-auth is allowed only on a loopback address, not {}; configure --token-file or --basic-file",
            opts.listen
        )));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("serve")
        .build()
        .map_err(|e| ServeError::Io(format!("cannot start the runtime: {e}")))?;
    let result = rt.block_on(serve(opts, ready, warn));
    rt.shutdown_timeout(Duration::from_millis(200));
    result
}

fn log_sink() -> LogSink {
    Arc::new(|level: LogLevel, plugin: &Path, message: &str| {
        let message = redact(message);
        let plugin = plugin.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match level {
            LogLevel::Error => tracing::error!(target: "plugin", %plugin, "{message}"),
            LogLevel::Warn => tracing::warn!(target: "plugin", %plugin, "{message}"),
            LogLevel::Info => tracing::info!(target: "plugin", %plugin, "{message}"),
            LogLevel::Debug => tracing::debug!(target: "plugin", %plugin, "{message}"),
            LogLevel::Trace => tracing::trace!(target: "plugin", %plugin, "{message}"),
        }
    })
}

async fn serve(opts: ServeOptions, ready: &mut dyn FnMut(&str), warn: &mut dyn FnMut(&str)) -> Result<(), ServeError> {
    let tls = match &opts.tls {
        Some((cert, key)) => Some(tls_acceptor(cert, key)?),
        None => None,
    };
    let pool = Arc::new(WorkerPool::new(opts.worker.0.clone(), opts.worker.1.clone(), log_sink()));
    let (files, mut problems) = opts.plugins.clone();
    let described = futures_join(files.iter().map(|f| {
        let pool = Arc::clone(&pool);
        let f = f.clone();
        async move { (f.clone(), pool.describe(&f).await) }
    }))
    .await;
    let mut plugins = Vec::new();
    for (path, r) in described {
        match r {
            Ok(description) => plugins.push(LoadedPlugin { path, module: None, description }),
            Err(e) => problems.push(Problem { path, message: e.message }),
        }
    }
    let registry = Registry::from_described(plugins, problems);
    for p in registry.problems() {
        warn(&format!("{}: {}", p.path.display(), p.message));
    }
    let loaded = app::load_state(&registry, &opts).map_err(ServeError::Inventory)?;
    let nodes = loaded.inventory.nodes.len();
    // Workers stay only for plugins the inventory uses; others start on first use (after a
    // reload that needs them).
    let used: std::collections::HashSet<PathBuf> = loaded
        .inventory
        .nodes
        .values()
        .filter_map(|n| registry.driver(&n.driver).map(|e| e.path().to_path_buf()))
        .collect();
    for p in registry.drivers().iter().map(|d| d.path().to_path_buf()).collect::<std::collections::HashSet<_>>() {
        if !used.contains(&p) {
            pool.kill(&p).await;
        }
    }
    let app = Arc::new(app::App::new(registry, loaded, pool, opts.clone()));
    let listener = TcpListener::bind(opts.listen)
        .await
        .map_err(|e| ServeError::Io(format!("cannot listen on {}: {e}", opts.listen)))?;
    let addr = listener.local_addr().map_err(|e| ServeError::Io(e.to_string()))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, nodes, auth = !opts.no_auth, "serving");
    let sig = |k: SignalKind| signal(k).map_err(|e| ServeError::Io(format!("cannot handle signals: {e}")));
    let (mut hup, mut term, mut int) =
        (sig(SignalKind::hangup())?, sig(SignalKind::terminate())?, sig(SignalKind::interrupt())?);
    ready(&format!("powerplug serve: listening on {scheme}://{addr} ({nodes} nodes)"));
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        tokio::select! {
            accepted = listener.accept(), if permits.available_permits() > 0 => {
                let Ok((stream, _peer)) = accepted else { continue };
                let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else { continue };
                let _ = stream.set_nodelay(true);
                let (app, watcher, tls) = (Arc::clone(&app), graceful.watcher(), tls.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    let svc = service_fn(move |req| Arc::clone(&app).handle(req));
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(10)).max_buf_size(64 * 1024);
                    match tls {
                        None => {
                            let _ = watcher.watch(builder.serve_connection(TokioIo::new(stream), svc)).await;
                        }
                        Some(acc) => {
                            let Ok(Ok(s)) = tokio::time::timeout(Duration::from_secs(10), acc.accept(stream)).await else { return };
                            let _ = watcher.watch(builder.serve_connection(TokioIo::new(s), svc)).await;
                        }
                    }
                });
            }
            _ = hup.recv() => {
                let app = Arc::clone(&app);
                let _ = tokio::task::spawn_blocking(move || app.reload()).await;
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    drop(listener);
    tracing::info!(grace_s = opts.grace.as_secs(), "stopping: finishing in-flight requests");
    if tokio::time::timeout(opts.grace, graceful.shutdown()).await.is_err() {
        tracing::warn!("the grace period ended with requests still running");
    }
    Ok(())
}

/// Awaits every future concurrently, in order.
async fn futures_join<F: std::future::Future + Send + 'static>(futs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        if let Ok(v) = h.await {
            out.push(v);
        }
    }
    out
}

fn tls_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, ServeError> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &str, p: &Path, e: String| ServeError::Config(format!("{what} {}: {e}", p.display()));
    power_host::files::read_text(cert, 1024 * 1024).map_err(|e| bad("--tls-cert", cert, e.to_string()))?;
    power_host::files::read_text(key, 1024 * 1024).map_err(|e| bad("--tls-key", key, e.to_string()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("--tls-cert", cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("--tls-cert", cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("--tls-cert", cert, "no PEM certificate in it".into()));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("--tls-key", key, e.to_string()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Config(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| ServeError::Config(format!("--tls-cert/--tls-key do not make a usable pair: {e}")))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
