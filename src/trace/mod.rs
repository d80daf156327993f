//! The tracer: after every wrapper's system call, one line saying what the
//! kernel was asked and what it answered.
//!
//! Three views of the same record:
//! - **pretty** (the default): strace's line behind a gutter that says which
//!   side made the call (server or client) and what the fd is to the program
//!   (a fresh socket, a listening socket, a data socket);
//! - **plain**: strace's line alone, byte for byte, so `diff` against a real
//!   strace run shows nothing;
//! - **json**: one object per call, for graders and tools.
//!
//! Beside the view on stdout, a run can be *recorded* as JSON lines to a
//! file. With everything off, a wrapper pays one relaxed atomic load.
//!
//! Each line is formed whole and written in one piece under one lock, so
//! calls from a server thread and a client thread never mix inside a line.
//!
//! ## Across `fork`
//!
//! A forked child is a copy of the whole process, taken at one instant,
//! with only the thread that called `fork`. What the tracer keeps must
//! still be right in both copies:
//! - **Ids.** The process and thread ids are cached (one system call per
//!   thread, not per call); the child's caches are cleared, so its lines
//!   carry its own pid and tid.
//! - **Locks.** A lock that another thread held at the instant of the copy
//!   stays held in the child for ever, since the thread that would let it
//!   go is not there. So `fork` first takes every lock the tracer uses
//!   (stdout's, stderr's, the settings, the record's, the ledger's, the
//!   call counts'), in
//!   the order the tracer always takes them, and lets them go again on
//!   both sides afterwards (`pthread_atfork` handlers). No thread is then
//!   inside a line at the instant of the copy.
//! - **Buffers.** The record file and stdout are buffered; what the
//!   buffers hold when the copy is taken would be written by both
//!   processes. Both are written out under their locks before the copy, so
//!   the child starts with empty buffers. Each later write holds whole
//!   lines only, and the record file is put in append mode
//!   (`O_APPEND`), so the two processes' writes land one after the other,
//!   never inside each other.
//! - **Numbering.** `seq` counts calls across the parent and all its
//!   children (the counter lives in memory the processes share), so the
//!   record orders every process's calls.
//! - **Cause and effect** (`causal.rs`): after a fork the other end of a
//!   connection may be in the other process, where this one cannot see its
//!   calls; each side stops holding lines back for the connections it
//!   had.

pub mod causal;
mod count;
mod view;

pub use count::{Summary, SummaryRow};

use crate::event::{CallEvent, Span};
use std::cell::Cell;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{
    AtomicBool, AtomicI32, AtomicPtr, AtomicU64, AtomicU8, AtomicUsize, Ordering,
};
use std::sync::{Mutex, MutexGuard, Once, OnceLock, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant, SystemTime};

/// Which end of the conversation made a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Server,
    Client,
}

impl Side {
    /// "server" or "client", as the record writes it.
    pub fn from_name(name: &str) -> Option<Side> {
        [Side::Server, Side::Client]
            .into_iter()
            .find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Client => "client",
        }
    }
}

/// What an fd is to the program, which decides the calls it may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Made by `socket()`, not yet listening or connected.
    Socket,
    /// Passive: it only accepts connections (after `listen`).
    Listening,
    /// One end of one connection: it sends and receives (from `accept` or `connect`).
    Data,
    /// A UDP (datagram) socket: no connection, each message carries an address.
    Datagram,
}

impl Role {
    /// "socket", "listening", "data" or "datagram", as the record writes it.
    pub fn from_name(name: &str) -> Option<Role> {
        [Role::Socket, Role::Listening, Role::Data, Role::Datagram]
            .into_iter()
            .find(|r| r.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Socket => "socket",
            Role::Listening => "listening",
            Role::Data => "data",
            Role::Datagram => "datagram",
        }
    }
}

/// How calls are shown on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// strace's line with a side and role gutter (coloured on a terminal).
    Pretty,
    /// strace's line only.
    Plain,
    /// One JSON object per line.
    Json,
    /// Nothing on stdout.
    Off,
}

impl std::str::FromStr for View {
    type Err = String;
    fn from_str(s: &str) -> Result<View, String> {
        match s {
            "pretty" => Ok(View::Pretty),
            "plain" => Ok(View::Plain),
            "json" => Ok(View::Json),
            "off" => Ok(View::Off),
            other => Err(format!(
                "unknown trace view '{other}': use pretty, plain, json or off"
            )),
        }
    }
}

const UNSET: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNSET);
static SETTINGS: RwLock<Settings> = RwLock::new(Settings {
    view: View::Off,
    color: false,
    recording: false,
    start: None,
    t0_unix_us: 0,
});
static RECORD: Mutex<Option<Record>> = Mutex::new(None);
static SEQ: SharedCounter = SharedCounter::new();
/// This process's id, 0 until asked (and again in a forked child).
static PID: AtomicI32 = AtomicI32::new(0);
/// Whether the pretty and plain views start each line with the thread's
/// id, as `strace -f` does (see [`show_pids`]).
static PIDS: AtomicBool = AtomicBool::new(false);

#[derive(Clone, Copy)]
struct Settings {
    view: View,
    color: bool,
    recording: bool,
    /// The tracer's time 0 on the monotonic clock, and the wall clock's
    /// time at that moment.
    start: Option<Instant>,
    t0_unix_us: u64,
}

/// The record file being written, and the first write that failed.
struct Record {
    out: BufWriter<File>,
    path: PathBuf,
    /// Once a write has failed the file is left as it is (no later line
    /// lands after a gap), and the error waits to be reported at the end.
    stopped: bool,
    failed: Option<std::io::Error>,
}

impl Record {
    fn write(&mut self, bytes: &[u8]) {
        if !self.stopped {
            let result = self.out.write_all(bytes);
            self.stop_on(result);
        }
    }

    fn flush(&mut self) {
        if !self.stopped {
            let result = self.out.flush();
            self.stop_on(result);
        }
    }

    fn stop_on(&mut self, result: std::io::Result<()>) {
        if let Err(e) = result {
            self.stopped = true;
            self.failed = Some(e);
        }
    }
}

/// The record file could not be made or written: its path and why.
#[derive(Debug)]
pub struct RecordError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot write the record file {}: {}",
            self.path.display(),
            self.error
        )
    }
}

impl std::error::Error for RecordError {}

impl From<RecordError> for std::io::Error {
    fn from(e: RecordError) -> std::io::Error {
        std::io::Error::new(e.error.kind(), e.to_string())
    }
}

thread_local! {
    static SIDE: Cell<Option<Side>> = const { Cell::new(None) };
    static TID: Cell<i32> = const { Cell::new(0) };
    /// Traced calls of this thread started and not yet shown (see
    /// [`IN_CALL`]).
    static IN_CALL_HERE: Cell<usize> = const { Cell::new(0) };
    /// Whether this thread is the one running the exit handler.
    static EXITING_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Choose the view and an optional JSON-lines record file. Call it once,
/// before the first socket call; without it the tracer reads
/// `SOCKLAB_TRACE` (pretty, plain, json, off) and `SOCKLAB_RECORD` (a path).
///
/// A record file that cannot be made fails here. One that fails later (a
/// full disk) does not stop the program: the error waits for
/// [`take_record_error`], and is said on stderr at exit if nobody took it.
pub fn configure(view: View, record: Option<&Path>) -> Result<(), RecordError> {
    let record = match record {
        Some(p) => {
            let file = File::create(p)
                .and_then(crate::high_fd::move_up)
                .map_err(|error| RecordError {
                    path: p.to_path_buf(),
                    error,
                })?;
            Some(Record {
                out: BufWriter::with_capacity(64 * 1024, file),
                path: p.to_path_buf(),
                stopped: false,
                failed: None,
            })
        }
        None => None,
    };
    let on = view != View::Off || record.is_some();
    let settings = Settings {
        view,
        color: view == View::Pretty && crate::output::color_enabled(),
        recording: record.is_some(),
        start: Some(Instant::now()),
        t0_unix_us: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64),
    };
    {
        let mut rec = RECORD.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = rec.as_mut() {
            old.flush();
        }
        *rec = record;
    }
    *SETTINGS.write().unwrap_or_else(|e| e.into_inner()) = settings;
    SEQ.store(0, Ordering::Relaxed);
    STATE.store(if on { ON } else { OFF }, Ordering::Release);
    register_exit_flush();
    Ok(())
}

/// The view and record file named by the environment.
pub fn from_env() -> (View, Option<PathBuf>) {
    (view_from_env(), record_from_env())
}

/// The view `SOCKLAB_TRACE` names; pretty when it is not set (or empty).
///
/// A value that is not a view (`SOCKLAB_TRACE=plian`) is a typo, not a
/// choice: the first time it is read, one line on stderr says so and
/// lists the views, and the program goes on with the pretty view, the
/// default. (An environment variable reaches every program a shell
/// starts, so a typo in it must not stop them all.)
pub fn view_from_env() -> View {
    let Some(value) = crate::env::get().trace.clone() else {
        return View::Pretty;
    };
    match value.to_str().map(str::parse::<View>) {
        Some(Ok(view)) => view,
        _ => {
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                crate::output::eprintln_quiet(&format!(
                    "socklab: SOCKLAB_TRACE={} is not a trace view (pretty, plain, json or off): using pretty",
                    value.to_string_lossy()
                ))
            });
            View::Pretty
        }
    }
}

/// The record file `SOCKLAB_RECORD` names, if any.
pub fn record_from_env() -> Option<PathBuf> {
    crate::env::get().record.clone().map(PathBuf::from)
}

/// Start each line of the pretty and plain views with `[pid  TID] `, the
/// id of the thread that made the call, as `strace -f` writes its lines
/// while it follows more than one thread or process (lessons 15 and 16,
/// where the pid is the point). The record and the JSON view keep the
/// line bare: they carry `pid` and `tid` as fields.
pub fn show_pids(on: bool) {
    PIDS.store(on, Ordering::Relaxed);
}

/// Mark the calls this thread makes as the server's or the client's.
pub fn set_side(side: Side) {
    SIDE.with(|s| s.set(Some(side)));
    causal::side_seen(side);
}

/// The side this thread's calls are marked with.
pub fn side() -> Option<Side> {
    SIDE.with(|s| s.get())
}

/// Whether calls are shown or recorded at all.
#[inline]
pub fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        OFF => false,
        ON => true,
        _ => init_from_env(),
    }
}

#[cold]
fn init_from_env() -> bool {
    // Once: threads that make their first calls at the same time must not
    // each open (and truncate) the record file and restart the count.
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if STATE.load(Ordering::Acquire) != UNSET {
            return; // configured by the program meanwhile
        }
        let (view, record) = from_env();
        if let Err(e) = configure(view, record.as_deref()) {
            // An unwritable record file must not stop the program: say so
            // once and show the view only.
            crate::output::eprintln_quiet(&format!(
                "socklab: SOCKLAB_RECORD: {e}; going on without it"
            ));
            let _ = configure(view, None);
        }
    });
    STATE.load(Ordering::Relaxed) == ON
}

/// The moment a call started, taken only when tracing is on.
#[derive(Debug)]
pub struct Started(Option<InCall>);

/// Take the time before a system call, when tracing is on; with tracing
/// off this is one relaxed atomic load and nothing else.
#[inline]
pub fn start() -> Started {
    if enabled() {
        Started(Some(InCall::begin()))
    } else {
        Started(None)
    }
}

/// Report a call that began at `started`. `build` runs only when tracing
/// was on when the call started, so a program with tracing off never
/// formats anything.
#[inline]
pub fn record(started: Started, build: impl FnOnce() -> CallEvent) {
    if let Some(call) = started.0 {
        // Counted before the end is taken: whoever sees no call between
        // its return and its line knows every later one ends after now.
        RETURNED.fetch_add(1, Ordering::SeqCst);
        let end = Instant::now();
        emit(build(), call.at, end);
        RETURNED.fetch_sub(1, Ordering::SeqCst);
        // The line is written: `call` is dropped here.
    }
}

/// Traced calls that have returned and whose line is not written yet.
static RETURNED: AtomicUsize = AtomicUsize::new(0);

/// Whether some call has returned and not yet had its line written.
/// Something else printed beside the calls by the clock (a packet seen
/// now) waits until this is false: every call that returned before the
/// packet travelled is then on the screen, and any later call ends later.
/// Read it with stdout locked, so no line is written meanwhile.
pub fn lines_being_written() -> bool {
    RETURNED.load(Ordering::SeqCst) != 0
}

/// Called with stdout locked, just before each call's line is written
/// (with a view on stdout), with the call numbered and timed.
static BEFORE_LINE: OnceLock<fn(&CallEvent)> = OnceLock::new();

/// Run `hook` just before each call's line is written to stdout, with
/// stdout locked (the hook may write to stdout too: the lock is the same
/// thread's). `socklab serve --packets` writes there the packets that
/// travelled before the call returned. Set once; later calls do nothing.
pub fn before_each_line(hook: fn(&CallEvent)) {
    let _ = BEFORE_LINE.set(hook);
}

/// How many traced calls have started (with tracing on) and not had their
/// line written yet, in every thread. The program may end meanwhile: main
/// returns while another thread's `send` is still being shown, or while
/// another thread is just making a call. The exit handler waits for these
/// lines, briefly, so a call that happened is never left out of the trace.
static IN_CALL: AtomicUsize = AtomicUsize::new(0);

/// Set by the exit handler: from then on a thread that starts a traced
/// call waits for the end of the process instead, so no call reaches the
/// kernel that the trace would not show.
static EXITING: AtomicBool = AtomicBool::new(false);

/// How long the exit handler waits for lines still being written.
const EXIT_WAIT: Duration = Duration::from_millis(200);

/// One traced call of this thread, from just before the system call to
/// its written line.
#[derive(Debug)]
struct InCall {
    at: Instant,
}

impl InCall {
    fn begin() -> InCall {
        // SeqCst with the exit handler's store and load: either this
        // thread sees EXITING, or the handler sees this call and waits.
        IN_CALL.fetch_add(1, Ordering::SeqCst);
        IN_CALL_HERE.with(|h| h.set(h.get() + 1));
        if EXITING.load(Ordering::SeqCst) && !EXITING_HERE.with(Cell::get) {
            IN_CALL_HERE.with(|h| h.set(h.get() - 1));
            IN_CALL.fetch_sub(1, Ordering::SeqCst);
            loop {
                std::thread::park();
            }
        }
        InCall { at: Instant::now() }
    }
}

impl Drop for InCall {
    fn drop(&mut self) {
        IN_CALL_HERE.with(|h| h.set(h.get() - 1));
        IN_CALL.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Wait, at most EXIT_WAIT, until the other threads' lines are written
/// (this thread may itself be exiting from inside one: a closed stdout).
///
/// A thread blocked in a call (a `recv` that never returns) makes the
/// exit wait the whole EXIT_WAIT; a call the exit then cuts short never
/// returned, and strace shows it unfinished.
fn wait_for_lines_being_shown() {
    EXITING_HERE.with(|e| e.set(true));
    EXITING.store(true, Ordering::SeqCst);
    let mine = IN_CALL_HERE.with(|h| h.get());
    let deadline = Instant::now() + EXIT_WAIT;
    while IN_CALL.load(Ordering::SeqCst) > mine && Instant::now() < deadline {
        std::thread::yield_now();
    }
}

#[cold]
fn emit(mut call: CallEvent, start: Instant, end: Instant) {
    let settings = *SETTINGS.read().unwrap_or_else(|e| e.into_inner());
    let origin = settings.start.unwrap_or(start);
    let since = |t: Instant| t.saturating_duration_since(origin).as_nanos() as u64;
    call.time = Some(Span {
        start_ns: since(start),
        end_ns: since(end),
        t0_unix_us: Some(settings.t0_unix_us),
    });
    call.pid = Some(process_id());
    call.tid = thread_id();
    call.side = side();
    // A recv is shown after the send that fed it (see causal.rs).
    causal::before(&call);
    // Counting (`count_calls`): only the first calls are shown as they
    // happen; the rest are counted, recorded, and the last few kept.
    let on_stdout = !count::on() || count::note(&call, end.saturating_duration_since(start));
    show(&mut call, &settings, on_stdout);
    causal::after(&call);
    if !on_stdout {
        count::keep(call);
    }
}

/// Count calls, as `strace -c` does, instead of showing each: the first
/// `first` calls are shown as usual, the last `last` are kept for
/// [`take_summary`], and a record file still gets every call. Calling it
/// again starts afresh (a forked child counts its own calls). Tracing
/// must be on (a view or a record) for calls to be counted.
pub fn count_calls(first: usize, last: usize) {
    count::start(first, last);
}

/// Stop counting, and give the table and the last calls kept.
pub fn take_summary() -> Option<Summary> {
    count::finish()
}

/// A call as the current view shows it (with its newline), for the calls
/// a [`Summary`] kept; empty when the view is off.
pub fn format_in_view(call: &CallEvent) -> String {
    let settings = *SETTINGS.read().unwrap_or_else(|e| e.into_inner());
    let line = call.line();
    match settings.view {
        View::Off => String::new(),
        View::Plain => format!("{line}\n"),
        View::Json => view::json(call, &line),
        View::Pretty => view::pretty(call, &line, settings.color),
    }
}

fn show(call: &mut CallEvent, settings: &Settings, on_stdout: bool) {
    // With a view on stdout, the stdout lock is held from numbering the call
    // to writing it, so lines from two threads come out whole and in order.
    // Recording alone takes no lock while formatting: a thread woken by this
    // one's send must not find a lock held and have to wait for it.
    let on_stdout = on_stdout && settings.view != View::Off;
    if !on_stdout && !settings.recording {
        // Counted only: no line to form.
        call.seq = SEQ.fetch_add(1, Ordering::Relaxed) + 1;
        return;
    }
    let stdout = on_stdout.then(|| std::io::stdout().lock());
    let line = call.line();
    call.seq = SEQ.fetch_add(1, Ordering::Relaxed) + 1;
    if settings.recording {
        let json = view::json(call, &line);
        if let Some(rec) = RECORD.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            // A failing record file (a full disk) must not end the program
            // in the middle of a call: the error is kept for the end.
            rec.write(json.as_bytes());
        }
    }
    let Some(mut out) = stdout else { return };
    if let Some(hook) = BEFORE_LINE.get() {
        hook(call);
    }
    let as_shown = || {
        if PIDS.load(Ordering::Relaxed) {
            call.line_with_pid()
        } else {
            line.clone()
        }
    };
    let shown = match settings.view {
        View::Off => return,
        View::Plain => format!("{}\n", as_shown()),
        View::Json => view::json(call, &line),
        View::Pretty => view::pretty(call, &as_shown(), settings.color),
    };
    if let Err(e) = out.write_all(shown.as_bytes()).and_then(|_| out.flush()) {
        drop(out);
        crate::output::stdout_failed(e);
    }
}

/// One event as the record writes it (see [`crate::event::to_json`]).
pub(crate) fn json_line(event: &CallEvent) -> String {
    view::json(event, &event.line())
}

/// Write out what the record file holds in its buffer. A failure is kept
/// for [`take_record_error`].
pub fn flush() {
    // try_lock: flush can run while exiting from inside `emit` on a broken
    // stdout, where this thread already holds the lock.
    if let Ok(mut rec) = RECORD.try_lock() {
        if let Some(rec) = rec.as_mut() {
            rec.flush();
        }
    }
}

/// Flush the record file, and give the first error writing it met, if any.
/// The caller then reports it (or, when the program already failed for
/// another reason, lets the first failure speak); either way it is not
/// said again at exit.
pub fn take_record_error() -> Option<RecordError> {
    let mut rec = RECORD.try_lock().ok()?;
    let rec = rec.as_mut()?;
    rec.flush();
    rec.failed.take().map(|error| RecordError {
        path: rec.path.clone(),
        error,
    })
}

fn register_exit_flush() {
    static ONCE: Once = Once::new();
    extern "C" fn at_exit() {
        wait_for_lines_being_shown();
        // A record that could not be written ends with one line, when the
        // program did not report it itself. (The exit status is the
        // program's own: an exit handler cannot know why it exits.)
        if let Some(e) = take_record_error() {
            if !crate::output::stdout_failed_already() {
                crate::output::eprintln_quiet(&format!("socklab: {e}"));
            }
        }
    }
    // The record file is buffered; process exit (a return from main or
    // `process::exit`) writes out the rest.
    // SAFETY: at_exit is a plain function that never unwinds.
    ONCE.call_once(|| unsafe {
        libc::atexit(at_exit);
    });
}

/// This process's id.
fn process_id() -> i32 {
    match PID.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: getpid has no preconditions. It is asked once per
            // process (a forked child asks again).
            let pid = unsafe { libc::getpid() };
            PID.store(pid, Ordering::Relaxed);
            pid
        }
        pid => pid,
    }
}

fn thread_id() -> i32 {
    TID.with(|t| {
        if t.get() == 0 {
            // SAFETY: gettid has no preconditions. It is asked once per thread.
            t.set(unsafe { libc::gettid() });
        }
        t.get()
    })
}

/// A call counter in memory that forked children share with their parent,
/// so `seq` stays one sequence across processes. The page is mapped on the
/// first count; where it cannot be, the counter is this process's alone.
struct SharedCounter {
    page: AtomicPtr<AtomicU64>,
    private: AtomicU64,
}

impl SharedCounter {
    const fn new() -> SharedCounter {
        SharedCounter {
            page: AtomicPtr::new(std::ptr::null_mut()),
            private: AtomicU64::new(0),
        }
    }

    fn counter(&self) -> &AtomicU64 {
        let page = self.page.load(Ordering::Acquire);
        if !page.is_null() {
            // SAFETY: a page mapped below and never unmapped.
            return unsafe { &*page };
        }
        // SAFETY: a fresh anonymous shared mapping, or MAP_FAILED.
        let mapped = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                std::mem::size_of::<AtomicU64>(),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if mapped == libc::MAP_FAILED {
            return &self.private;
        }
        let mapped = mapped.cast::<AtomicU64>();
        // SAFETY: the mapping is page-aligned, zeroed and ours; a zeroed
        // AtomicU64 is 0.
        unsafe { (*mapped).store(self.private.load(Ordering::Relaxed), Ordering::Relaxed) };
        match self.page.compare_exchange(
            std::ptr::null_mut(),
            mapped,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            // SAFETY: as above.
            Ok(_) => unsafe { &*mapped },
            Err(other) => {
                // Another thread mapped one first: use it, give this back.
                // SAFETY: the mapping made above, used by no one.
                unsafe { libc::munmap(mapped.cast(), std::mem::size_of::<AtomicU64>()) };
                // SAFETY: a page mapped by the other thread, never unmapped.
                unsafe { &*other }
            }
        }
    }

    fn fetch_add(&self, n: u64, order: Ordering) -> u64 {
        self.counter().fetch_add(n, order)
    }

    fn store(&self, n: u64, order: Ordering) {
        let page = self.page.load(Ordering::Acquire);
        if page.is_null() {
            self.private.store(n, order);
        } else {
            // SAFETY: a page mapped by `counter`, never unmapped.
            unsafe { (*page).store(n, order) };
        }
    }
}

/// Ready the tracer for a `fork`: settle the settings from the environment
/// now (so the two processes do not each open, and truncate, the record
/// file later), map the shared call counter, and register the handlers
/// that run around every fork.
pub(crate) fn before_fork() {
    let _ = enabled();
    let _ = SEQ.counter();
    static ONCE: Once = Once::new();
    // SAFETY: the handlers are plain functions that never unwind.
    ONCE.call_once(|| unsafe {
        libc::pthread_atfork(Some(fork_prepare), Some(fork_parent), Some(fork_child));
    });
}

/// The tracer's locks, held by the forking thread across the fork.
struct HeldForFork {
    stdout: std::io::StdoutLock<'static>,
    stderr: std::io::StderrLock<'static>,
    settings: RwLockReadGuard<'static, Settings>,
    record: MutexGuard<'static, Option<Record>>,
    ledger: MutexGuard<'static, Option<causal::Ledger>>,
    counts: MutexGuard<'static, Option<count::Counts>>,
}

thread_local! {
    static HELD: std::cell::RefCell<Option<HeldForFork>> = const { std::cell::RefCell::new(None) };
}

/// Before the copy: take every lock, in the order `show` takes them
/// (stdout, then the record; the settings and the ledger are never held
/// while another lock is awaited, and stderr is never held with another),
/// so no other thread can be half-way through a line, and empty the
/// buffers so the child inherits nothing to write twice.
extern "C" fn fork_prepare() {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.flush();
    let stderr = std::io::stderr().lock();
    let settings = SETTINGS.read().unwrap_or_else(|e| e.into_inner());
    let mut record = RECORD.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(rec) = record.as_mut() {
        rec.flush();
        append_mode(rec.out.get_ref());
    }
    let ledger = causal::lock_for_fork();
    let counts = count::lock_for_fork();
    HELD.with(|h| {
        *h.borrow_mut() = Some(HeldForFork {
            stdout,
            stderr,
            settings,
            record,
            ledger,
            counts,
        })
    });
}

/// Writes from the parent and the child to the one record file go to its
/// end, whole, one after the other.
fn append_mode(file: &File) {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: F_GETFL and F_SETFL on an fd the record owns.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 && flags & libc::O_APPEND == 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_APPEND);
        }
    }
}

/// Let the locks go, the last taken first.
fn release(held: HeldForFork, in_child: bool) {
    let HeldForFork {
        stdout,
        stderr,
        settings,
        record,
        mut ledger,
        counts,
    } = held;
    causal::forked(&mut ledger, in_child, side());
    drop(counts);
    drop(ledger);
    drop(record);
    drop(settings);
    drop(stderr);
    drop(stdout);
    causal::wake_after_fork();
}

extern "C" fn fork_parent() {
    // The caller reads errno after fork returns: keep what fork set.
    let errno = nix::errno::Errno::last_raw();
    if let Some(held) = HELD.with(|h| h.borrow_mut().take()) {
        release(held, false);
    }
    nix::errno::Errno::set_raw(errno);
}

extern "C" fn fork_child() {
    // This is a new process: ask for its ids again.
    PID.store(0, Ordering::Relaxed);
    TID.with(|t| t.set(0));
    // The other threads were not copied: none of them is in a call here.
    IN_CALL.store(IN_CALL_HERE.with(|h| h.get()), Ordering::SeqCst);
    if let Some(held) = HELD.with(|h| h.borrow_mut().take()) {
        release(held, true);
    }
}
