//! Deterministic parallelism: the same bits on one thread or eight, natively
//! and in wasm.
//!
//! Work that runs in parallel is cut into chunks whose boundaries depend only
//! on the size of the input, never on the number of threads; each chunk is
//! computed from inputs fixed before the parallel section starts, and the
//! chunks' results are combined in chunk order. Which thread computes a chunk,
//! and when, then cannot change a result. Natively the chunks run on a rayon
//! pool of [`Threads`] threads (a parallel section costs a few microseconds
//! there, against ~0.1 ms for spawning scoped threads, and UMAP and t-SNE
//! have thousands of sections). In the page's threaded map worker (wasm built
//! with atomics, for cross-origin isolated pages) they run on the rayon pool
//! it started once, whose threads are Web Workers on its shared memory
//! (`share_pool`, `web/threads.rs`); in other wasm the same chunks run one
//! after another on the calling thread. The page also spreads work over its
//! workers through the chunk-level functions the reducers expose (e.g.
//! [`crate::reduce::knn::ExactSearchPlan`]).

use std::cell::Cell;
use std::num::NonZeroUsize;
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How many threads a computation may use. The default is every core the
/// operating system offers (`std::thread::available_parallelism`); in wasm
/// the threads of the shared pool, or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Threads(NonZeroUsize);

impl Threads {
    pub const ONE: Threads = Threads(NonZeroUsize::MIN);

    /// Every core the operating system offers this process (1 when it
    /// cannot tell); in wasm, the threads of the shared pool the page's
    /// threaded worker started (`share_pool`), or 1.
    pub fn all() -> Threads {
        if cfg!(target_arch = "wasm32") {
            #[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
            if let Some(pool) = SHARED.get() {
                return Threads::new(pool.current_num_threads()).unwrap_or(Threads::ONE);
            }
            return Threads::ONE;
        }
        Threads(std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN))
    }

    /// `n` threads; `None` for 0.
    pub fn new(n: usize) -> Option<Threads> {
        NonZeroUsize::new(n).map(Threads)
    }

    pub fn get(self) -> usize {
        self.0.get()
    }
}

impl Default for Threads {
    fn default() -> Threads {
        Threads::all()
    }
}

/// Runs chunks of work on up to [`Threads`] threads, built once per
/// computation and used for all its parallel sections.
pub struct Pool {
    #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
    pool: Option<Arc<rayon::ThreadPool>>,
}

/// The pool of the page's threaded worker: Web Workers sharing its memory
/// cannot be started per computation (each costs a module instance), so they
/// are started once and every [`Pool`] of more than one thread uses them.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
static SHARED: std::sync::OnceLock<Arc<rayon::ThreadPool>> = std::sync::OnceLock::new();

/// Makes `pool` the one computations in this wasm module run on (the first
/// call wins).
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub fn share_pool(pool: rayon::ThreadPool) {
    let _ = SHARED.set(Arc::new(pool));
}

impl Pool {
    /// A pool of `threads` threads (in wasm, the shared pool); with one
    /// thread, in wasm without a shared pool, or if the system refuses to
    /// start threads, the work runs on the caller's.
    pub fn new(threads: Threads) -> Pool {
        #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
        {
            #[cfg(target_arch = "wasm32")]
            let pool = (threads.get() > 1).then(|| SHARED.get().cloned()).flatten();
            #[cfg(not(target_arch = "wasm32"))]
            let pool = (threads.get() > 1)
                .then(|| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(threads.get())
                        .build()
                        .ok()
                })
                .flatten()
                .map(Arc::new);
            Pool { pool }
        }
        #[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
        {
            let _ = threads;
            Pool {}
        }
    }

    /// A pool that runs everything on the calling thread.
    pub fn serial() -> Pool {
        Pool::new(Threads::ONE)
    }

    /// The number of threads chunks run on.
    pub fn threads(&self) -> usize {
        #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
        if let Some(pool) = &self.pool {
            return pool.current_num_threads();
        }
        1
    }

    /// `f(0)`, ..., `f(chunks - 1)`, in chunk order.
    pub fn map<R: Send>(&self, chunks: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
        #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
        if let Some(pool) = &self.pool
            && chunks > 1
        {
            use rayon::prelude::*;
            return pool.install(|| {
                (0..chunks)
                    .into_par_iter()
                    .with_max_len(1)
                    .map(&f)
                    .collect()
            });
        }
        (0..chunks).map(|c| piece(|| f(c))).collect()
    }

    /// `f(i, &mut items[i])` for every item: each chunk writes only its own
    /// output.
    pub fn each_mut<T: Send>(&self, items: &mut [T], f: impl Fn(usize, &mut T) + Sync + Send) {
        #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
        if let Some(pool) = &self.pool
            && items.len() > 1
        {
            use rayon::prelude::*;
            pool.install(|| {
                items
                    .par_iter_mut()
                    .with_max_len(1)
                    .enumerate()
                    .for_each(|(i, item)| f(i, item))
            });
            return;
        }
        items
            .iter_mut()
            .enumerate()
            .for_each(|(i, item)| piece(|| f(i, item)));
    }

    /// `f(i, &mut items[i])` for every item, results in item order.
    pub fn map_mut<T: Send, R: Send>(
        &self,
        items: &mut [T],
        f: impl Fn(usize, &mut T) -> R + Sync + Send,
    ) -> Vec<R> {
        #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
        if let Some(pool) = &self.pool
            && items.len() > 1
        {
            use rayon::prelude::*;
            return pool.install(|| {
                items
                    .par_iter_mut()
                    .with_max_len(1)
                    .enumerate()
                    .map(|(i, item)| f(i, item))
                    .collect()
            });
        }
        items
            .iter_mut()
            .enumerate()
            .map(|(i, item)| piece(|| f(i, item)))
            .collect()
    }

    /// `f(c, piece)` for the pieces of `data` cut every `len` items (the last
    /// may be shorter), `c` counting pieces from 0.
    pub fn chunks_mut<T: Send>(
        &self,
        data: &mut [T],
        len: usize,
        f: impl Fn(usize, &mut [T]) + Sync + Send,
    ) {
        let len = len.max(1);
        #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
        if let Some(pool) = &self.pool
            && data.len() > len
        {
            use rayon::prelude::*;
            pool.install(|| {
                data.par_chunks_mut(len)
                    .with_max_len(1)
                    .enumerate()
                    .for_each(|(c, piece)| f(c, piece))
            });
            return;
        }
        data.chunks_mut(len)
            .enumerate()
            .for_each(|(c, data)| piece(|| f(c, data)));
    }
}

impl Pool {
    /// Runs `f` once on every thread of the pool at the same time (once on
    /// the calling thread when the pool has one), for work cut into
    /// many short steps: the members share each step's chunks
    /// ([`Member::share`]) and meet at spinning barriers ([`Member::wait`])
    /// between steps, a microsecond where a parallel section of `map` costs
    /// tens (waking sleeping threads). Chunk results must depend only on
    /// the chunk, not on the member computing it, so that the result is the
    /// same bits for any number of threads.
    pub fn team(&self, f: impl Fn(&Member<'_>) + Sync) {
        #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
        if let Some(pool) = &self.pool {
            let shared = TeamState::new(pool.current_num_threads());
            pool.broadcast(|ctx| {
                let member = Member::new(&shared, ctx.index());
                let _mark = PanicMark(&shared);
                f(&member);
            });
            return;
        }
        let shared = TeamState::new(1);
        f(&Member::new(&shared, 0));
    }
}

/// What the members of a team share: the barrier and the chunk tickets.
struct TeamState {
    size: usize,
    arrived: AtomicUsize,
    generation: AtomicUsize,
    /// Tickets of chunks handed out so far, over all steps.
    tickets: AtomicUsize,
    /// Set when a member panics, so that the others stop waiting for it.
    poisoned: AtomicBool,
}

impl TeamState {
    fn new(size: usize) -> TeamState {
        TeamState {
            size,
            arrived: AtomicUsize::new(0),
            generation: AtomicUsize::new(0),
            tickets: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
        }
    }
}

/// Marks the team poisoned if its member unwinds.
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
struct PanicMark<'a>(&'a TeamState);

#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
impl Drop for PanicMark<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.poisoned.store(true, Ordering::Release);
        }
    }
}

/// One thread of a [`Pool::team`].
pub struct Member<'a> {
    team: &'a TeamState,
    index: usize,
    /// The first ticket of the current step: the chunks of all earlier
    /// steps, the same count in every member.
    base: Cell<usize>,
}

impl<'a> Member<'a> {
    fn new(team: &'a TeamState, index: usize) -> Member<'a> {
        Member {
            team,
            index,
            base: Cell::new(0),
        }
    }

    /// Member 0, the one to run a step's serial work between two waits.
    pub fn is_leader(&self) -> bool {
        self.index == 0
    }

    /// Computes chunks `0..chunks` of a step, `f(c)` each, sharing them with
    /// the other members: each chunk is computed once, by whichever member
    /// takes it first. Every member must call `share` with the same `chunks`
    /// for the same step; results are ready for all after the next `wait`.
    pub fn share(&self, chunks: usize, f: impl Fn(usize)) {
        let base = self.base.get();
        let end = base + chunks;
        while let Ok(ticket) =
            self.team
                .tickets
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                    (t < end).then_some(t + 1)
                })
        {
            piece(|| f(ticket - base));
        }
        self.base.set(end);
    }

    /// Waits until every member has arrived here: what each wrote before is
    /// then visible to all. Spins briefly, then yields the core.
    pub fn wait(&self) {
        let team = self.team;
        if team.size == 1 {
            return;
        }
        let generation = team.generation.load(Ordering::Acquire);
        if team.arrived.fetch_add(1, Ordering::AcqRel) + 1 == team.size {
            team.arrived.store(0, Ordering::Relaxed);
            team.generation.fetch_add(1, Ordering::Release);
            return;
        }
        let mut spins = 0u32;
        while team.generation.load(Ordering::Acquire) == generation {
            if team.poisoned.load(Ordering::Acquire) {
                panic!("another thread of the team panicked");
            }
            if spins < 1 << 12 {
                std::hint::spin_loop();
                spins += 1;
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// Runs one chunk on the calling thread as a call of its own. In the browser
/// V8 first runs a wasm function as baseline code and switches to its
/// optimised version only at the function's next call: a chunk inlined into
/// a loop that runs for seconds would never get faster. As a function of its
/// own, a chunk's code is optimised after the first few chunks.
#[inline(never)]
fn piece<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// The ranges `0..len` is cut into, every `chunk` items (the last may be
/// shorter): the split points of a row-wise pass.
pub fn chunk_ranges(len: usize, chunk: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let chunk = chunk.max(1);
    (0..len.div_ceil(chunk)).map(move |c| c * chunk..((c + 1) * chunk).min(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_back_in_order_whatever_the_threads() {
        for threads in [1, 2, 3, 8] {
            let pool = Pool::new(Threads::new(threads).unwrap());
            let squares = pool.map(100, |c| c * c);
            assert_eq!(squares, (0..100).map(|c| c * c).collect::<Vec<_>>());
            let mut data: Vec<usize> = vec![0; 1000];
            pool.chunks_mut(&mut data, 64, |c, piece| piece.fill(c));
            assert!(data.iter().enumerate().all(|(i, &c)| c == i / 64));
            let mut items = vec![0usize; 7];
            pool.each_mut(&mut items, |i, item| *item = i + 1);
            assert_eq!(items, [1, 2, 3, 4, 5, 6, 7]);
        }
    }

    #[test]
    fn a_team_computes_every_chunk_once_and_meets_between_steps() {
        use std::sync::Mutex;
        for threads in [1, 2, 4] {
            let pool = Pool::new(Threads::new(threads).unwrap());
            // Each step doubles every value the previous step left: a chunk
            // computed twice, or a step begun before the last one ended,
            // shows in the totals.
            let values = Mutex::new(vec![1u64; 37]);
            let computed = AtomicUsize::new(0);
            pool.team(|member| {
                for step in 0..50 {
                    let chunks = 37 - step % 5;
                    let before: Vec<u64> = values.lock().unwrap().clone();
                    member.wait();
                    member.share(chunks, |c| {
                        computed.fetch_add(1, Ordering::Relaxed);
                        values.lock().unwrap()[c] = before[c] * 2 % 1_000_003;
                    });
                    member.wait();
                }
            });
            let expected_computed: usize = (0..50).map(|step| 37 - step % 5).sum();
            assert_eq!(computed.load(Ordering::Relaxed), expected_computed);
            let mut expected = vec![1u64; 37];
            for step in 0..50 {
                for v in expected.iter_mut().take(37 - step % 5) {
                    *v = *v * 2 % 1_000_003;
                }
            }
            assert_eq!(*values.lock().unwrap(), expected, "{threads} threads");
        }
    }

    #[test]
    fn a_member_that_panics_stops_the_team_instead_of_hanging_it() {
        let pool = Pool::new(Threads::new(2).unwrap());
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.team(|member| {
                if !member.is_leader() {
                    panic!("a chunk failed");
                }
                member.wait();
            })
        }));
        assert!(outcome.is_err());
    }

    #[test]
    fn chunk_ranges_cover_the_input_once() {
        let ranges: Vec<_> = chunk_ranges(10, 4).collect();
        assert_eq!(ranges, [0..4, 4..8, 8..10]);
        assert_eq!(chunk_ranges(0, 4).count(), 0);
    }
}
