//! Per-device ordering and deadlines. Each device key (an inventory device, or a standalone
//! node's address) gets one task that runs its calls strictly one at a time, in arrival order;
//! different devices run in parallel. An identical call (same node, same operation) that is
//! already queued or running is joined instead of queued again — MAAS re-sends the same POST
//! while it waits. Every call has a deadline: past it the caller gets [`CallError::Timeout`],
//! and because a call cannot be interrupted inside a plugin, the device is **busy** until the
//! call returns: later calls fail at once with [`CallError::Busy`] instead of piling up, and no
//! other device is slowed. Queues are bounded ([`MAX_QUEUE`]) and a call that waited longer than
//! its deadline in the queue is not started.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use power_core::DriverError;
use tokio::sync::{mpsc, watch};

use crate::worker::pool::WorkerPool;

/// The most calls one device may have queued.
pub const MAX_QUEUE: usize = 256;

/// One call to run.
#[derive(Debug, Clone)]
pub struct CallSpec {
    /// The node it is for (joins are per node and operation).
    pub node: String,
    /// Calls with the same key never overlap.
    pub device_key: String,
    /// The plugin file providing the driver.
    pub plugin: PathBuf,
    /// The driver.
    pub driver: String,
    /// `Params::to_wire` of the node's parameters.
    pub params_wire: String,
    /// `on`, `off`, `cycle`, `query`.
    pub op: String,
    /// How long the call may run at the device (and, at most, wait in its queue).
    pub deadline: Duration,
    /// How long the call may wait in its device's queue before it is given up unstarted.
    pub max_queue_wait: Duration,
    /// The least time between the start of a power-on (or cycle) at this device and the end
    /// of the previous one (inrush current on one circuit); zero for none.
    pub stagger: Duration,
}

/// Why a call did not produce the driver's answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The driver answered with an error.
    #[error(transparent)]
    Driver(DriverError),
    /// The call ran past its deadline; the device stays busy until it returns.
    #[error("`{op}` did not finish within {} s (the call deadline); the device is busy until the stuck call returns", after.as_secs_f64())]
    Timeout {
        /// The operation.
        op: String,
        /// The deadline.
        after: Duration,
    },
    /// The device is still busy with a call that ran past its deadline.
    #[error("the device is still busy with a `{op}` call that has been stuck for {} s", stuck_for.as_secs())]
    Busy {
        /// The stuck operation.
        op: String,
        /// For how long.
        stuck_for: Duration,
    },
    /// Too many calls are queued for the device.
    #[error("the device has {0} calls queued; try again later")]
    QueueFull(usize),
    /// The call waited longer than its deadline in the device's queue and was not started.
    #[error("the call waited {} s in the device's queue and was not started", .0.as_secs())]
    QueueTimeout(Duration),
}

impl CallError {
    /// The `powerplug` exit code of this failure (a deadline or a busy device is "unreachable").
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Driver(d) => d.kind().exit_code(),
            _ => power_core::PowerplugExitCode::UNREACHABLE,
        }
    }

    /// The message, without the kind (for a driver error, the driver's own message).
    pub fn message(&self) -> String {
        match self {
            Self::Driver(d) => d.message().to_owned(),
            other => other.to_string(),
        }
    }
}

/// The answer of one call: the driver's JSON, or why not.
pub type CallResult = Result<String, CallError>;

/// Runs calls; the worker pool in `serve`, anything else in tests.
pub trait Executor: Send + Sync + 'static {
    /// Runs `spec` to completion (the scheduler applies the deadline).
    fn execute(self: Arc<Self>, spec: CallSpec) -> Pin<Box<dyn Future<Output = Result<String, DriverError>> + Send>>;

    /// Gives up on a call stuck far past its deadline, if the executor can (the worker pool kills
    /// the plugin's worker: its running calls fail, the next call starts a fresh one). The
    /// default cannot: the call keeps its device busy until it returns.
    fn abandon(self: Arc<Self>, _spec: &CallSpec) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async {})
    }
}

impl Executor for WorkerPool {
    fn abandon(self: Arc<Self>, spec: &CallSpec) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let plugin = spec.plugin.clone();
        Box::pin(async move { self.kill(&plugin).await })
    }

    fn execute(self: Arc<Self>, spec: CallSpec) -> Pin<Box<dyn Future<Output = Result<String, DriverError>> + Send>> {
        Box::pin(async move {
            self.call(&spec.plugin, &spec.device_key, &spec.driver, &spec.params_wire, &spec.op, spec.deadline).await
        })
    }
}

/// The device call latency histogram's bucket bounds, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Counters the scheduler keeps, for `/metrics`.
#[derive(Debug, Default)]
pub struct Stats {
    /// Calls running at a device now.
    pub in_flight: AtomicUsize,
    /// Calls waiting in device queues now.
    pub queued: AtomicUsize,
    /// Requests that joined an identical queued or running call.
    pub joined: AtomicU64,
    /// Calls that ran past their deadline.
    pub timeouts: AtomicU64,
    latency: Mutex<HashMap<String, Histogram>>,
}

/// A latency histogram (cumulative buckets as Prometheus wants them).
#[derive(Debug, Default, Clone)]
pub struct Histogram {
    /// Counts per bound of [`LATENCY_BUCKETS`] (not cumulative).
    pub buckets: [u64; 12],
    /// All observations.
    pub count: u64,
    /// Their sum in seconds.
    pub sum: f64,
}

impl Stats {
    fn observe(&self, driver: &str, d: Duration) {
        let s = d.as_secs_f64();
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(driver.to_owned()).or_default();
            if let Some(i) = LATENCY_BUCKETS.iter().position(|b| s <= *b) {
                h.buckets[i] += 1;
            }
            h.count += 1;
            h.sum += s;
        }
    }

    /// The latency histograms by driver, sorted by driver.
    pub fn latency(&self) -> Vec<(String, Histogram)> {
        let mut v: Vec<_> = self.latency.lock().map(|m| m.clone().into_iter().collect()).unwrap_or_default();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

struct Job {
    spec: CallSpec,
    tx: watch::Sender<Option<CallResult>>,
    enqueued: Instant,
}

type JoinKey = (String, String);

struct Device {
    tx: mpsc::UnboundedSender<Job>,
    pending: Mutex<HashMap<JoinKey, watch::Receiver<Option<CallResult>>>>,
    queued: AtomicUsize,
    stuck: Mutex<Option<(String, Instant)>>,
}

/// The per-device queues over an executor.
pub struct Scheduler {
    exec: Arc<dyn Executor>,
    /// After how long a stuck call is abandoned (`None`: never).
    abandon_after: Option<Duration>,
    devices: Mutex<HashMap<String, Arc<Device>>>,
    stats: Arc<Stats>,
}

impl Scheduler {
    /// A scheduler running calls through `exec`. Needs a tokio runtime.
    pub fn new(exec: Arc<dyn Executor>) -> Self {
        Self { exec, abandon_after: None, devices: Mutex::new(HashMap::new()), stats: Arc::new(Stats::default()) }
    }

    /// Abandons calls still stuck `after` past their start (see [`Executor::abandon`]).
    #[must_use]
    pub fn abandon_stuck_after(mut self, after: Option<Duration>) -> Self {
        self.abandon_after = after;
        self
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    fn device(&self, key: &str) -> Arc<Device> {
        let mut map = self.devices.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(d) = map.get(key) {
            return Arc::clone(d);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let dev = Arc::new(Device {
            tx,
            pending: Mutex::new(HashMap::new()),
            queued: AtomicUsize::new(0),
            stuck: Mutex::new(None),
        });
        tokio::spawn(run_device(
            Arc::clone(&dev),
            rx,
            Arc::clone(&self.exec),
            Arc::clone(&self.stats),
            self.abandon_after,
        ));
        map.insert(key.to_owned(), Arc::clone(&dev));
        dev
    }

    /// Whether the device is busy with a stuck call: the stuck operation and for how long.
    pub fn stuck(&self, device_key: &str) -> Option<(String, Duration)> {
        let d = self.devices.lock().ok()?.get(device_key).cloned()?;
        let s = d.stuck.lock().ok()?.clone();
        s.map(|(op, since)| (op, since.elapsed()))
    }

    /// Runs `spec` in its device's order and waits for the answer (at most its deadline in the
    /// queue plus its deadline at the device).
    pub async fn run(&self, spec: CallSpec) -> CallResult {
        let dev = self.device(&spec.device_key);
        if let Some((op, since)) = dev.stuck.lock().ok().and_then(|s| s.clone()) {
            return Err(CallError::Busy { op, stuck_for: since.elapsed() });
        }
        let (deadline, max_queue_wait) = (spec.deadline, spec.max_queue_wait);
        let key = (spec.node.clone(), spec.op.clone());
        let mut rx = {
            let mut pending = dev.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(rx) = pending.get(&key) {
                self.stats.joined.fetch_add(1, Ordering::Relaxed);
                rx.clone()
            } else {
                let depth = dev.queued.load(Ordering::SeqCst);
                if depth >= MAX_QUEUE {
                    return Err(CallError::QueueFull(depth));
                }
                let (tx, rx) = watch::channel(None);
                dev.queued.fetch_add(1, Ordering::SeqCst);
                self.stats.queued.fetch_add(1, Ordering::SeqCst);
                if dev.tx.send(Job { spec, tx, enqueued: Instant::now() }).is_err() {
                    dev.queued.fetch_sub(1, Ordering::SeqCst);
                    self.stats.queued.fetch_sub(1, Ordering::SeqCst);
                    return Err(CallError::Driver(DriverError::plugin_fault("the device's queue is closed")));
                }
                pending.insert(key, rx.clone());
                rx
            }
        };
        let wait = async {
            loop {
                if let Some(r) = rx.borrow_and_update().clone() {
                    return r;
                }
                if rx.changed().await.is_err() {
                    return Err(CallError::Driver(DriverError::plugin_fault("the call was dropped without an answer")));
                }
            }
        };
        let limit = max_queue_wait.saturating_add(deadline).saturating_add(Duration::from_millis(250));
        match tokio::time::timeout(limit, wait).await {
            Ok(r) => r,
            Err(_) => Err(CallError::QueueTimeout(limit)),
        }
    }
}

fn finish(dev: &Device, job: &Job, result: CallResult) {
    let _ = job.tx.send(Some(result));
    if let Ok(mut p) = dev.pending.lock() {
        let key = (job.spec.node.clone(), job.spec.op.clone());
        if p.get(&key).is_some_and(|rx| rx.same_channel(&job.tx.subscribe())) {
            p.remove(&key);
        }
    }
}

async fn run_device(
    dev: Arc<Device>,
    mut rx: mpsc::UnboundedReceiver<Job>,
    exec: Arc<dyn Executor>,
    stats: Arc<Stats>,
    abandon_after: Option<Duration>,
) {
    let dequeue = |dev: &Device| {
        dev.queued.fetch_sub(1, Ordering::SeqCst);
        stats.queued.fetch_sub(1, Ordering::SeqCst);
    };
    let mut last_on: Option<Instant> = None;
    while let Some(job) = rx.recv().await {
        dequeue(&dev);
        let powers_on = matches!(job.spec.op.as_str(), "on" | "cycle");
        if let (true, Some(t)) = (powers_on && !job.spec.stagger.is_zero(), last_on) {
            let gap = t + job.spec.stagger;
            if gap > Instant::now() {
                tokio::time::sleep_until(gap.into()).await;
            }
        }
        let waited = job.enqueued.elapsed();
        if waited > job.spec.max_queue_wait {
            finish(&dev, &job, Err(CallError::QueueTimeout(waited)));
            continue;
        }
        if job.tx.receiver_count() <= 1 && waited > Duration::from_millis(50) {
            // Only the join table still holds it: every caller has given up.
            finish(&dev, &job, Err(CallError::QueueTimeout(waited)));
            continue;
        }
        let started = Instant::now();
        stats.in_flight.fetch_add(1, Ordering::SeqCst);
        let mut call = Arc::clone(&exec).execute(job.spec.clone());
        match tokio::time::timeout(job.spec.deadline, &mut call).await {
            Ok(r) => {
                stats.in_flight.fetch_sub(1, Ordering::SeqCst);
                stats.observe(&job.spec.driver, started.elapsed());
                if powers_on {
                    last_on = Some(Instant::now());
                }
                finish(&dev, &job, r.map_err(CallError::Driver));
            }
            Err(_) => {
                stats.timeouts.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut s) = dev.stuck.lock() {
                    *s = Some((job.spec.op.clone(), started));
                }
                tracing::warn!(
                    device = %job.spec.device_key, node = %job.spec.node, op = %job.spec.op,
                    "call ran past its {} s deadline; the device is busy until it returns", job.spec.deadline.as_secs_f64()
                );
                finish(&dev, &job, Err(CallError::Timeout { op: job.spec.op.clone(), after: job.spec.deadline }));
                let give_up = async {
                    match abandon_after {
                        Some(after) => tokio::time::sleep_until((started + after).into()).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::pin!(give_up);
                let mut abandoned = false;
                loop {
                    tokio::select! {
                        () = &mut give_up, if !abandoned => {
                            abandoned = true;
                            tracing::error!(device = %job.spec.device_key, op = %job.spec.op,
                                "the call has been stuck for {} s: abandoning it (its plugin worker is restarted)", started.elapsed().as_secs());
                            Arc::clone(&exec).abandon(&job.spec).await;
                        }
                        r = &mut call => {
                            tracing::warn!(device = %job.spec.device_key, op = %job.spec.op, ok = r.is_ok(),
                                "the stuck call returned after {} ms; the device is free", started.elapsed().as_millis());
                            break;
                        }
                        Some(next) = rx.recv() => {
                            dequeue(&dev);
                            let op = job.spec.op.clone();
                            finish(&dev, &next, Err(CallError::Busy { op, stuck_for: started.elapsed() }));
                        }
                    }
                }
                stats.in_flight.fetch_sub(1, Ordering::SeqCst);
                stats.observe(&job.spec.driver, started.elapsed());
                if let Ok(mut s) = dev.stuck.lock() {
                    *s = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    /// Sleeps `ms` from the op name (`sleep:50`), records overlaps per device.
    struct Fake {
        active: Mutex<HashMap<String, usize>>,
        overlap: AtomicBool,
        calls: AtomicUsize,
    }

    impl Executor for Fake {
        fn execute(
            self: Arc<Self>,
            spec: CallSpec,
        ) -> Pin<Box<dyn Future<Output = Result<String, DriverError>> + Send>> {
            Box::pin(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                {
                    let mut a = self.active.lock().unwrap();
                    let n = a.entry(spec.device_key.clone()).or_default();
                    *n += 1;
                    if *n > 1 {
                        self.overlap.store(true, Ordering::SeqCst);
                    }
                }
                let ms: u64 = spec.op.trim_start_matches("sleep:").parse().unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                *self.active.lock().unwrap().get_mut(&spec.device_key).unwrap() -= 1;
                Ok(format!("\"{}\"", spec.node))
            })
        }
    }

    fn spec(node: &str, dev: &str, op: &str, deadline_ms: u64) -> CallSpec {
        CallSpec {
            node: node.into(),
            device_key: dev.into(),
            plugin: PathBuf::new(),
            driver: "fake".into(),
            params_wire: "{}".into(),
            op: op.into(),
            deadline: Duration::from_millis(deadline_ms),
            max_queue_wait: Duration::from_millis(deadline_ms),
            stagger: Duration::ZERO,
        }
    }

    fn fake() -> Arc<Fake> {
        Arc::new(Fake {
            active: Mutex::new(HashMap::new()),
            overlap: AtomicBool::new(false),
            calls: AtomicUsize::new(0),
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_call_at_a_time_per_device_and_joins() {
        let f = fake();
        let s = Arc::new(Scheduler::new(f.clone()));
        let mut tasks = Vec::new();
        for i in 0..16 {
            let s = Arc::clone(&s);
            tasks.push(tokio::spawn(async move { s.run(spec(&format!("n{}", i % 8), "d1", "sleep:5", 5000)).await }));
        }
        for t in tasks {
            assert!(t.await.unwrap().is_ok());
        }
        assert!(!f.overlap.load(Ordering::SeqCst));
        assert!(f.calls.load(Ordering::SeqCst) < 16, "identical queued calls joined");
        assert!(s.stats().joined.load(Ordering::SeqCst) > 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stuck_call_times_out_and_marks_only_its_device_busy() {
        let s = Arc::new(Scheduler::new(fake()));
        let r = s.run(spec("a", "d1", "sleep:600", 100)).await;
        assert!(matches!(r, Err(CallError::Timeout { .. })), "{r:?}");
        assert!(matches!(s.run(spec("b", "d1", "sleep:0", 100)).await, Err(CallError::Busy { .. })));
        assert!(s.run(spec("c", "d2", "sleep:0", 100)).await.is_ok());
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert!(s.stuck("d1").is_none());
        assert!(s.run(spec("b", "d1", "sleep:0", 100)).await.is_ok());
    }
}
