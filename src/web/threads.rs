//! The map worker's threads, in its threaded build (wasm with atomics, served
//! only to cross-origin isolated pages, where memory can be shared): a rayon
//! pool whose threads are Web Workers running this same module on this same
//! memory (`www/thread.js`). Results are the same bits as on one thread
//! (`crate::parallel`), so the threaded and the plain worker draw the same
//! maps.

use std::sync::atomic::{AtomicUsize, Ordering};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::DedicatedWorkerGlobalScope;

/// Threads that have entered their loop.
static STARTED: AtomicUsize = AtomicUsize::new(0);

/// At most this many threads, whatever the device reports.
const MAX_THREADS: usize = 8;

/// How long the threads may take to start before the worker carries on
/// without them, in milliseconds.
const START_TIMEOUT_MS: f64 = 10_000.0;

/// A thread's work, handed to its Web Worker as an address in the shared
/// memory.
type Job = Box<dyn FnOnce() + Send>;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// The wasm-bindgen script of this module: the worker was started from its
/// loader, `<name>_loader.js`, which imports `<name>.js`.
fn glue_url() -> String {
    let loader = scope().location().href();
    loader.replace("_loader.js", ".js")
}

/// Starts the pool's threads (one per core the device reports, up to
/// [`MAX_THREADS`]) and waits until they run; the pool becomes the one
/// computations use. Returns the number of threads, or why there are none
/// (the worker then computes on its own thread).
pub async fn start() -> Result<usize, String> {
    let cores = scope().navigator().hardware_concurrency() as usize;
    let threads = cores.clamp(1, MAX_THREADS);
    if threads < 2 {
        return Err(format!("the device reports {cores} core(s)"));
    }
    let glue = glue_url();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("crystal-atlas map thread {i}"))
        .spawn_handler(move |thread| {
            let worker = web_sys::Worker::new("./thread.js")
                .map_err(|e| std::io::Error::other(super::worker::describe(&e)))?;
            let job: Job = Box::new(move || {
                STARTED.fetch_add(1, Ordering::SeqCst);
                thread.run();
            });
            let address = Box::into_raw(Box::new(job)) as usize as u32;
            let message = js_sys::Array::of4(
                &glue.clone().into(),
                &wasm_bindgen::module(),
                &wasm_bindgen::memory(),
                &address.into(),
            );
            worker
                .post_message(&message)
                .map_err(|e| std::io::Error::other(super::worker::describe(&e)))?;
            // The worker lives as long as its thread, the page's.
            std::mem::forget(worker);
            Ok(())
        })
        .build()
        .map_err(|e| format!("the threads could not start: {e}"))?;
    let began = super::dom::now();
    while STARTED.load(Ordering::SeqCst) < threads {
        if super::dom::now() - began > START_TIMEOUT_MS {
            return Err(format!(
                "{} of {threads} threads started in {} s",
                STARTED.load(Ordering::SeqCst),
                START_TIMEOUT_MS / 1000.0
            ));
        }
        sleep(10).await;
    }
    crate::parallel::share_pool(pool);
    Ok(threads)
}

/// Resolves after `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs a thread's job in the Web Worker `www/thread.js` started for it.
pub fn run_thread(address: u32) {
    // SAFETY: `address` is the `Box<Job>` leaked by `start`'s spawn handler
    // for this thread alone, in the memory this instance shares.
    let job = unsafe { Box::from_raw(address as usize as *mut Job) };
    job();
}

/// Whether this instance is one of the pool's threads rather than the
/// worker itself (`www/thread.js` says so before loading the module).
pub fn is_pool_thread() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crystalAtlasThread"))
        .map(|v| v.is_truthy())
        .unwrap_or(false)
}
