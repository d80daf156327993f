//! Lesson 13 · framing: short reads, short writes and byte order on the wire.
//!
//! TCP carries bytes, not messages (lesson 06). A program that sends
//! messages must mark where each one ends, and must expect any call to move
//! fewer bytes than it asked for:
//!
//! - **Short reads.** `recv` returns what has arrived, up to the room in the
//!   buffer: a peer that sends a message in odd pieces makes it return
//!   fewer bytes than asked. `read_exact` (often called `readn`) calls it
//!   again for the rest, until the buffer is full.
//! - **Short writes.** A send that may not wait (here: MSG_DONTWAIT) copies
//!   what fits in the send buffer and returns that count; when nothing fits
//!   it fails with EAGAIN. `write_all` (`writen`) sends the rest, each
//!   send from where the last one stopped; without MSG_DONTWAIT a send
//!   waits for room.
//! - **Two framings.** A length prefix: 4 bytes, the length in network byte
//!   order (big-endian, most significant byte first), then the message.
//!   Or a newline after each line. Each has a small decoder that is given
//!   bytes as they come, however they were split, and hands back whole
//!   messages.
//! - **The kernel's view:** bytes a `send` accepted wait in the sender's
//!   send queue (send-q) or the receiver's receive queue (recv-q) until the
//!   receiver reads them.

use socklab::trace::Side;
use socklab::{Connection, Errno, MsgFlags, PollFlags, SockAddr, SockOpt, Socket};
use socklab_tools::kernel::{self, SocketView};
use socklab_tools::lesson::{self, josa, Give, Lesson, LessonError, Outcome, Wait};
use std::time::Duration;

/// Part 1: one frame, "hello" behind its 4-byte length prefix, sent in
/// three odd pieces. The first piece is only part of the prefix.
const ODD_PIECES: [&[u8]; 3] = [b"\0\0\0", b"\x05hel", b"lo"];
/// Part 2: two frames, "ping" and "framed", cut across a prefix and a body.
const FRAME_PIECES: [&[u8]; 3] = [b"\0\0\0\x04ping\0\0", b"\0\x06fra", b"med"];
/// Part 3: three lines, the second cut in two.
const LINE_PIECES: [&[u8]; 2] = [b"one\ntw", b"o\nthree\n"];
/// Part 4: the body of the big frame the server sends, bigger than the
/// small buffers can hold (16 KiB: the prefix is "\0\0@\0", 0x00004000).
const BIG_BODY: usize = 16384;
/// The buffer sizes asked for, small so that a few KiB fill them.
const SMALL_BUFFER: i32 = 4096;
/// A frame longer than this is refused: a peer that does not speak this
/// framing (say, text typed into nc) would otherwise ask for gigabytes.
const MAX_FRAME: usize = 1 << 20;

fn main() {
    lesson::run(13, flow)
}

/// How the lesson's own client and the server keep in step. Cues travel in
/// memory, never over the network, so they add no call to the trace.
struct ClientCues {
    connected: Give<()>,
    /// The size of each piece the client has sent.
    sent: Give<usize>,
    /// How many bytes each of the server's recvs returned: the client sends
    /// its next piece only once the server has read every byte so far, so
    /// each piece arrives on its own.
    read: Wait<usize>,
    /// "Read the big frame now."
    drain: Wait<()>,
}

fn flow(l: &'static Lesson) -> Outcome {
    let addr = l.addr()?;
    let (listener, here) = l.listening_socket(&addr)?;

    let (connected, is_connected) = lesson::cue::<()>();
    let (sent, piece_sent) = lesson::cue::<usize>();
    let (tell_read, read) = lesson::cue::<usize>();
    let (say_drain, drain) = lesson::cue::<()>();
    let cues = ClientCues {
        connected,
        sent,
        read,
        drain,
    };
    let client = if l.interactive() {
        // No client of our own: its cues end here, so nobody waits on them.
        drop(cues);
        outside_client_howto(l, &here);
        None
    } else {
        Some(l.peer(Side::Client, &here, move |l, here| {
            client_part(l, &here, cues)
        }))
    };

    is_connected.wait();
    l.wait_for_peer(&listener)?;
    l.step(
        "accept",
        "a data socket for the client.",
        "클라이언트의 연결 요청을 수락합니다: 데이터 송수신용 소켓이 생깁니다.",
    );
    let (conn, peer) = listener.accept()?;
    converse(l, &conn, &here, &peer, piece_sent, tell_read, say_drain)?;
    end(l, conn, listener, client)
}

/// Everything on the data socket, up to its close. It takes the cues the
/// server gives, so that they end with it, however it ends: a client
/// still waiting for one hears that it will not come.
fn converse(
    l: &Lesson,
    conn: &Connection,
    here: &SockAddr,
    peer: &SockAddr,
    piece_sent: Wait<usize>,
    tell_read: Give<usize>,
    say_drain: Give<()>,
) -> Outcome {
    // Each recv tells our own client how many bytes it took; with an
    // outside peer nobody hears it.
    let tell = Some(&tell_read);

    // Part 1: read_exact gathers a frame sent in odd pieces.
    if let Some(n) = piece_sent.wait() {
        let _ = kernel::wait_for_tcp(here, peer, Duration::from_secs(2), |v| {
            v.rx_queue >= n as u64
        });
        l.say(
            &format!("The client has sent its first piece, {n} bytes. They wait in our receive queue:"),
            &format!("클라이언트가 첫 조각 {n}바이트를 보냈습니다. 이 바이트는 커널의 수신 큐에서 기다립니다:"),
        );
        l.kernel(conn);
    }
    l.step(
        "recv",
        "read_exact(4): the length prefix. recv until all 4 bytes are here.",
        "read_exact(4): 길이 헤더를 읽습니다. 4바이트가 모두 올 때까지 recv합니다.",
    );
    let mut prefix = [0u8; 4];
    let counts = read_exact(l, conn, &mut prefix, tell)?;
    if !gathered(l, &counts, prefix.len()) {
        return Ok(());
    }
    let len = u32::from_be_bytes(prefix) as usize;
    let hex = prefix.map(|b| format!("{b:02x}")).join(" ");
    l.say(
        &format!("The prefix bytes {hex}, read most significant first (network byte order, u32::from_be_bytes; ntohl in C), make {len}: the length of the message that follows."),
        &format!("길이 헤더의 바이트 {} 상위 바이트부터 읽으면(네트워크 바이트 순서, 빅 엔디안: u32::from_be_bytes, C에서는 ntohl) {len}입니다: 뒤따르는 메시지의 길이입니다.", josa::eul(&hex)),
    );
    if len > MAX_FRAME {
        refuse(l, len);
        return Ok(());
    }
    l.step(
        "recv",
        &format!("read_exact({len}): the message itself."),
        &format!("read_exact({len}): 메시지 본문을 읽습니다."),
    );
    let mut body = vec![0u8; len];
    let counts = read_exact(l, conn, &mut body, tell)?;
    if !gathered(l, &counts, len) {
        return Ok(());
    }
    l.say(
        &format!("The message: {}.", socklab::strace::quote_bytes(&body)),
        &format!("메시지: {}.", socklab::strace::quote_bytes(&body)),
    );

    // Part 2 and 3: the same framing with a decoder, then lines.
    l.say(
        "\nA decoder does the same without knowing how much to ask for: recv takes whatever has arrived (up to 64 bytes), the decoder keeps it, and hands back each frame once all its bytes are there.",
        "\n디코더를 쓰면 얼마나 읽을지 몰라도 됩니다: recv는 도착한 만큼(최대 64바이트) 받고, 디코더가 그것을 모아 두었다가 바이트가 다 모인 프레임을 하나씩 돌려줍니다.",
    );
    if !decode_stream(l, conn, tell, &mut FrameDecoder::default(), 2)? {
        return Ok(());
    }
    l.say(
        "\nThe other framing: a newline ends each line. The line decoder hands back a line once its \\n has come.",
        "\n다른 프레이밍: 줄마다 끝에 줄바꿈(\\n)을 붙입니다. 줄 디코더는 \\n이 도착한 줄을 하나씩 돌려줍니다.",
    );
    if !decode_stream(l, conn, tell, &mut LineDecoder::default(), 3)? {
        return Ok(());
    }

    // Part 4: short writes.
    write_big_frame(l, conn, here, peer, say_drain)
}

/// The lesson's own client: it connects with a small receive buffer,
/// sends three messages in odd pieces, one piece at a time, then reads the
/// big frame once told to.
fn client_part(l: &'static Lesson, here: &SockAddr, cues: ClientCues) -> Outcome {
    l.say(
        "a small receive buffer (SO_RCVBUF 4096) before connect, so that a few KiB fill it",
        "connect 전에 수신 버퍼를 작게(SO_RCVBUF 4096) 잡습니다. 몇 KiB면 가득 찹니다",
    );
    let sock = Socket::new(here.family())?;
    sock.setsockopt(SockOpt::RcvBuf(SMALL_BUFFER))?;
    let c = sock.connect(here)?;
    cues.connected.give(());

    let mut sent_so_far = 0;
    let mut read_so_far = 0;
    for (what_en, what_ko, pieces) in [
        (
            "one frame, \"hello\" with its prefix, in 3 pieces",
            "프레임 하나(길이 헤더와 \"hello\")를 조각 3개로",
            &ODD_PIECES[..],
        ),
        (
            "two frames, \"ping\" and \"framed\", in 3 pieces",
            "프레임 두 개(\"ping\"과 \"framed\")를 조각 3개로",
            &FRAME_PIECES[..],
        ),
        (
            "three lines in 2 pieces",
            "줄 세 개를 조각 2개로",
            &LINE_PIECES[..],
        ),
    ] {
        l.say(
            &format!("sends {what_en}, each once the server has read the last"),
            &format!("{what_ko} 보냅니다. 서버가 앞 조각을 다 읽은 뒤에 다음 조각을 보냅니다"),
        );
        for piece in pieces {
            let n = c.send(piece, MsgFlags::NONE)?;
            cues.sent.give(n);
            sent_so_far += n;
            while read_so_far < sent_so_far {
                match cues.read.wait() {
                    Some(n) => read_so_far += n,
                    None => return Ok(()),
                }
            }
        }
    }

    if cues.drain.wait().is_none() {
        return Ok(());
    }
    l.say(
        "reads the big frame, each recv with MSG_WAITALL: the 4-byte prefix, then the length it gives",
        "큰 프레임을 읽습니다. recv마다 MSG_WAITALL을 줍니다: 4바이트 길이 헤더, 그다음 그 길이만큼",
    );
    let mut prefix = [0u8; 4];
    c.recv(&mut prefix, MsgFlags::WAITALL)?;
    let len = u32::from_be_bytes(prefix) as usize;
    let mut body = vec![0u8; len.min(MAX_FRAME)];
    let n = c.recv(&mut body, MsgFlags::WAITALL)?;
    l.say(
        &format!("{n} of the {len} bytes in one recv: MSG_WAITALL waited for all of them"),
        &format!("recv 한 번으로 {len}바이트 중 {n}바이트를 받았습니다: MSG_WAITALL이 전부 올 때까지 기다렸습니다"),
    );
    c.close()?;
    Ok(())
}

/// readn: call recv until `buf` is full, however the bytes arrive. Each
/// recv returns what has arrived so far, up to the room left, which may be
/// less than asked: a short count, not an error. Returns each recv's count;
/// a last 0 means the peer closed before the buffer was full.
///
/// `tell`, when given, hears each count (for the lesson's own client; see
/// `ClientCues::read`). With `--wait`, each recv is preceded by a poll
/// that gives up after `--timeout`.
fn read_exact(
    l: &Lesson,
    conn: &Connection,
    buf: &mut [u8],
    tell: Option<&Give<usize>>,
) -> Result<Vec<usize>, LessonError> {
    let mut counts = Vec::new();
    let mut got = 0;
    while got < buf.len() {
        l.wait_for_peer(conn)?;
        let n = conn.recv(&mut buf[got..], MsgFlags::NONE)?;
        if let Some(tell) = tell {
            tell.give(n);
        }
        counts.push(n);
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(counts)
}

/// Say how read_exact got its bytes; false when the peer closed first.
fn gathered(l: &Lesson, counts: &[usize], want: usize) -> bool {
    let list = counts
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if counts.last() == Some(&0) {
        let got: usize = counts.iter().sum();
        l.say(
            &format!("recv returned 0 after {got} of the {want} bytes: the peer closed in the middle of a message. There is no message to read; the lesson ends here."),
            &format!("{want}바이트 중 {got}바이트를 받은 뒤 recv가 0을 돌려줬습니다: 상대가 메시지 중간에 연결을 닫았습니다. 읽을 메시지가 없으니 실습을 여기서 끝냅니다."),
        );
        return false;
    }
    if counts.len() == 1 {
        l.say(
            &format!("{want} bytes in one recv: they had all arrived."),
            &format!("recv 한 번에 {want}바이트를 받았습니다: 이미 다 도착해 있었습니다."),
        );
    } else {
        l.say(
            &format!("{want} bytes in {} recvs ({list}): each returned what had arrived, fewer than asked, and read_exact asked again for the rest.", counts.len()),
            &format!("{want}바이트를 recv {}번({list})으로 받았습니다: recv는 매번 도착한 만큼만, 요청보다 적게 돌려줬고, read_exact가 나머지를 다시 요청했습니다.", counts.len()),
        );
    }
    true
}

/// The frame's length is more than the lesson accepts.
fn refuse(l: &Lesson, len: usize) {
    l.say(
        &format!("{len} bytes is more than this lesson accepts ({MAX_FRAME}): the peer does not speak this framing. A real program checks the length before it makes room for it, and closes the connection."),
        &format!("{len}바이트는 이 실습이 받는 최대 길이({MAX_FRAME})보다 큽니다: 상대가 이 프레이밍으로 보내지 않았습니다. 실제 프로그램도 자리를 잡기 전에 길이를 검사하고, 연결을 닫습니다."),
    );
}

/// What both decoders do: take bytes as they come, hand back whole
/// messages.
trait Decoder {
    /// The name of one message, for the narration: "frame", "line".
    fn what(&self) -> (&'static str, &'static str);
    fn push(&mut self, bytes: &[u8]);
    /// The next whole message, if all of it is here; Err(length) for a
    /// length prefix over MAX_FRAME.
    fn next_message(&mut self) -> Result<Option<Vec<u8>>, usize>;
    /// Bytes kept for a message not yet whole.
    fn pending(&self) -> usize;
}

/// Length-prefixed frames: 4 bytes of length, network byte order, then
/// that many bytes.
#[derive(Default)]
struct FrameDecoder {
    bytes: Vec<u8>,
}

impl Decoder for FrameDecoder {
    fn what(&self) -> (&'static str, &'static str) {
        ("frame", "프레임")
    }
    fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }
    fn next_message(&mut self) -> Result<Option<Vec<u8>>, usize> {
        let Some(prefix) = self.bytes.first_chunk::<4>() else {
            return Ok(None); // not even the whole prefix yet
        };
        let len = u32::from_be_bytes(*prefix) as usize;
        if len > MAX_FRAME {
            return Err(len);
        }
        if self.bytes.len() < 4 + len {
            return Ok(None); // the prefix, but not all of the body
        }
        let frame = self.bytes[4..4 + len].to_vec();
        self.bytes.drain(..4 + len);
        Ok(Some(frame))
    }
    fn pending(&self) -> usize {
        self.bytes.len()
    }
}

/// Lines, each ended by "\n" (which the line handed back leaves out).
#[derive(Default)]
struct LineDecoder {
    bytes: Vec<u8>,
}

impl Decoder for LineDecoder {
    fn what(&self) -> (&'static str, &'static str) {
        ("line", "줄")
    }
    fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }
    fn next_message(&mut self) -> Result<Option<Vec<u8>>, usize> {
        let Some(end) = self.bytes.iter().position(|&b| b == b'\n') else {
            return Ok(None); // no newline yet: the line goes on
        };
        let line = self.bytes[..end].to_vec();
        self.bytes.drain(..=end);
        Ok(Some(line))
    }
    fn pending(&self) -> usize {
        self.bytes.len()
    }
}

/// recv whatever has arrived (up to 64 bytes) into `decoder` until it has
/// handed back `want` messages; false when the peer closed first (or sent
/// a length the lesson refuses).
fn decode_stream(
    l: &Lesson,
    conn: &Connection,
    tell: Option<&Give<usize>>,
    decoder: &mut dyn Decoder,
    want: usize,
) -> Result<bool, LessonError> {
    let (what_en, what_ko) = decoder.what();
    let mut buf = [0u8; 64];
    let mut done = 0;
    while done < want {
        l.wait_for_peer(conn)?;
        l.step(
            "recv",
            &format!("whatever has arrived, into the {what_en} decoder."),
            &format!("도착한 만큼 받아 {what_ko} 디코더에 넣습니다."),
        );
        let n = conn.recv(&mut buf, MsgFlags::NONE)?;
        if let Some(tell) = tell {
            tell.give(n);
        }
        if n == 0 {
            l.say(
                &format!("recv returned 0: the peer closed after {done} of {want} {what_en}s, with {} bytes of an unfinished one. The lesson ends here.", decoder.pending()),
                &format!("recv가 0을 돌려줬습니다: 상대가 {what_ko} {want}개 중 {done}개를 보낸 뒤 연결을 닫았습니다. 끝나지 않은 {what_ko}의 {}바이트가 남았습니다. 실습을 여기서 끝냅니다.", decoder.pending()),
            );
            return Ok(false);
        }
        decoder.push(&buf[..n]);
        let mut whole = Vec::new();
        loop {
            match decoder.next_message() {
                Ok(Some(m)) => whole.push(socklab::strace::quote_bytes(&m)),
                Ok(None) => break,
                Err(len) => {
                    refuse(l, len);
                    return Ok(false);
                }
            }
        }
        done += whole.len();
        let kept = decoder.pending();
        let list = whole.join(", ");
        if whole.is_empty() {
            l.say(
                &format!("{n} bytes in; the decoder hands back nothing whole yet and keeps {kept} bytes for what comes next."),
                &format!("{n}바이트가 들어왔습니다. 디코더가 돌려준 {what_ko}: 아직 없음. 다음을 위해 모아 둔 바이트: {kept}바이트."),
            );
        } else {
            l.say(
                &format!("{n} bytes in; the decoder hands back {list} and keeps {kept} bytes for what comes next."),
                &format!("{n}바이트가 들어왔습니다. 디코더가 돌려준 {what_ko}: {list}. 다음을 위해 모아 둔 바이트: {kept}바이트."),
            );
        }
    }
    Ok(true)
}

/// Part 4: a 16 KiB frame into a small send buffer, to a client that is not
/// reading yet. MSG_DONTWAIT sends copy what fits (a short count) until
/// none fits (EAGAIN); the kernel holds every accepted byte in one of two
/// queues; then write_all sends the rest, waiting for room, while the
/// client reads.
fn write_big_frame(
    l: &Lesson,
    conn: &Connection,
    here: &SockAddr,
    peer: &SockAddr,
    say_drain: Give<()>,
) -> Outcome {
    l.say(
        "\nNow the other way: short writes.",
        "\n이번에는 반대 방향입니다: 부분 쓰기(short write).",
    );
    l.step(
        "setsockopt",
        "a small send buffer (SO_SNDBUF 4096) on the data socket.",
        "연결된 소켓의 송신 버퍼를 작게(SO_SNDBUF 4096) 잡습니다.",
    );
    conn.setsockopt(SockOpt::SndBuf(SMALL_BUFFER))?;

    let mut frame = (BIG_BODY as u32).to_be_bytes().to_vec();
    frame.extend((0..BIG_BODY).map(|i| b'a' + (i % 26) as u8));
    let total = frame.len();
    if l.interactive() {
        l.say(
            &format!("Do not read yet: the server sends a {total}-byte frame now."),
            &format!("아직 읽지 마세요: 서버가 지금 {total}바이트 프레임을 보냅니다."),
        );
    }
    let mut sent = 0;
    let mut counts = Vec::new();
    let mut full = false;
    while sent < total {
        l.step(
            "send",
            &format!("MSG_DONTWAIT: {} bytes if they fit, else as many as fit, and never wait.", total - sent),
            &format!("MSG_DONTWAIT: {}바이트가 들어가면 다, 아니면 들어가는 만큼 보내고, 기다리지 않습니다.", total - sent),
        );
        match conn.send(&frame[sent..], MsgFlags::DONTWAIT) {
            Ok(n) => {
                counts.push(n);
                sent += n;
                if sent < total {
                    l.say(
                        &format!("send returned {n} of the {} asked: a short count. It copied what fitted in the send buffer; {} bytes are left to send.", n + total - sent, total - sent),
                        &format!("요청한 {}바이트 중 {n}바이트를 돌려줬습니다: 요청보다 적은 수(short count)입니다. 송신 버퍼에 들어가는 만큼만 복사했고, 보낼 바이트가 {}바이트 남았습니다.", n + total - sent, total - sent),
                    );
                }
            }
            Err(e) if e.errno == Errno::EAGAIN => {
                l.say(
                    "-1 EAGAIN: not one byte fitted, and with MSG_DONTWAIT send does not wait for room.",
                    "-1 EAGAIN: 한 바이트도 들어가지 않았고, MSG_DONTWAIT를 준 send는 자리가 나기를 기다리지 않습니다.",
                );
                full = true;
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !full {
        l.say(
            &format!("All {total} bytes fitted: the client's receive buffer had room for them."),
            &format!(
                "{total}바이트가 다 들어갔습니다: 클라이언트의 수신 버퍼에 자리가 있었습니다."
            ),
        );
    }
    kernel_queues(l, here, peer, sent);
    if sent == total {
        say_drain.give(());
        return Ok(());
    }

    if l.interactive() {
        l.say(
            "Now read it in your terminal: cat <&3 | wc -c",
            "이제 여러분의 터미널에서 읽으세요: cat <&3 | wc -c",
        );
    } else {
        l.say(
            "Now the client reads, with MSG_WAITALL: its kernel waits until the whole buffer is full, read_exact's loop done by the kernel.",
            "이제 클라이언트가 MSG_WAITALL로 읽습니다: 클라이언트의 커널이 버퍼가 다 찰 때까지 기다립니다. read_exact의 반복을 커널이 대신 하는 셈입니다.",
        );
    }
    say_drain.give(());
    if l.interactive() {
        l.step(
            "send",
            &format!("write_all: the other {} bytes, from where the last send stopped, each send once poll says there is room (POLLOUT).", total - sent),
            &format!("write_all: 나머지 {}바이트를 마지막 send가 멈춘 곳부터 보냅니다. send마다 먼저 poll로 자리(POLLOUT)를 기다립니다.", total - sent),
        );
    } else {
        l.step(
            "send",
            &format!("write_all: the other {} bytes, from where the last send stopped, without MSG_DONTWAIT.", total - sent),
            &format!("write_all: 나머지 {}바이트를 마지막 send가 멈춘 곳부터, 이번에는 MSG_DONTWAIT 없이 보냅니다.", total - sent),
        );
    }
    let counts = write_all(l, conn, &frame[sent..])?;
    if counts.len() == 1 {
        l.say(
            &format!("send returned {}, all of it: a send without MSG_DONTWAIT waits for room as long as it takes, here while the client read.", counts[0]),
            &format!("send가 {}, 즉 전부를 돌려줬습니다: MSG_DONTWAIT 없는 send는 자리가 날 때까지 얼마든지 기다립니다. 여기서는 클라이언트가 읽는 동안 기다렸습니다.", counts[0]),
        );
    } else {
        let list = counts
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        l.say(
            &format!(
                "the other {} bytes went in {} sends ({list}).",
                total - sent,
                counts.len()
            ),
            &format!(
                "나머지 {}바이트는 send {}번({list})으로 나갔습니다.",
                total - sent,
                counts.len()
            ),
        );
    }
    Ok(())
}

/// writen: send all of `rest`, each send from where the last one stopped,
/// and return each send's count. Without MSG_DONTWAIT, a send waits for
/// room until it has copied everything (a signal can still cut it short:
/// `socklab explain send --demo`), so the loop usually runs once.
///
/// With `--wait` the lesson never waits for ever on an outside client:
/// before each send it polls for room (POLLOUT), at most `--timeout`, and
/// sends with MSG_DONTWAIT.
fn write_all(l: &Lesson, conn: &Connection, rest: &[u8]) -> Result<Vec<usize>, LessonError> {
    let mut counts = Vec::new();
    let mut sent = 0;
    while sent < rest.len() {
        let flags = if l.interactive() {
            let secs = l.args.timeout;
            let ms = secs.saturating_mul(1000).min(i32::MAX as u64) as i32;
            if socklab::poll(&[(conn, PollFlags::OUT)], ms)?[0] == PollFlags::NONE {
                return Err(LessonError::Message {
                    en: format!("no room to send within {secs} s: the client is not reading (--timeout)"),
                    ko: format!("{secs}초 안에 보낼 자리가 나지 않았습니다: 클라이언트가 읽지 않습니다 (--timeout)"),
                });
            }
            MsgFlags::DONTWAIT
        } else {
            MsgFlags::NONE
        };
        match conn.send(&rest[sent..], flags) {
            Ok(n) => {
                counts.push(n);
                sent += n;
            }
            // Room for nothing after all: poll again.
            Err(e) if e.errno == Errno::EAGAIN => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(counts)
}

/// The kernel's view once the queues stand still: every byte send accepted
/// is in the server's send queue or the client's receive queue.
fn kernel_queues(l: &Lesson, here: &SockAddr, peer: &SockAddr, sent: usize) {
    if !l.shows_kernel() {
        return;
    }
    let (Some(server_addr), Some(client_addr)) = (here.to_std(), peer.to_std()) else {
        return;
    };
    let both = |views: &[SocketView]| -> Option<(SocketView, SocketView)> {
        let server = views.iter().find(|v| v.local == Some(server_addr))?;
        let client = views.iter().find(|v| v.local == Some(client_addr))?;
        Some((server.clone(), client.clone()))
    };
    // Bytes on their way, or an acknowledgment still to come, settle in a
    // moment on loopback.
    let look = kernel::wait_for(Duration::from_secs(2), || {
        let mut views = kernel::tcp_by_addrs(server_addr, client_addr)?;
        views.extend(kernel::tcp_by_addrs(client_addr, server_addr)?);
        Ok(both(&views).filter(|(s, c)| s.tx_queue + c.rx_queue == sent as u64))
    });
    let Some((server, client)) = l.found(look) else {
        l.kernel_line(l.lang.pick(
            "send-q and recv-q do not add up to the bytes sent: the client's end is not in this machine's tables, or the client has read some already",
            "송신 큐와 수신 큐를 더해도 보낸 바이트 수가 되지 않습니다: 클라이언트 쪽 연결이 이 컴퓨터의 표에 없거나, 클라이언트가 이미 일부를 읽었습니다",
        ));
        return;
    };
    let (s_label, c_label) = l.lang.pick2(("server", "client"), ("서버", "클라이언트"));
    l.kernel_line(&format!("{s_label}: {}", server.summary_in(l.lang)));
    l.kernel_line(&format!("{c_label}: {}", client.summary_in(l.lang)));
    let (waits_en, waits_ko) = if server.tx_queue > 0 {
        (
            format!(
                ", and {} still in the server's send queue. They move on only as the client reads",
                server.tx_queue
            ),
            format!(
                ". {}바이트는 아직 서버의 송신 큐에 있고, 클라이언트가 읽어야 움직입니다",
                server.tx_queue
            ),
        )
    } else {
        (String::new(), String::new())
    };
    l.say(
        &format!("send-q {} + recv-q {} = {sent}, the bytes send accepted: {} wait in the client's receive queue, unread{waits_en}.", server.tx_queue, client.rx_queue, client.rx_queue),
        &format!("송신 큐 {} + 수신 큐 {} = {sent}, send가 받아들인 바이트 수입니다: {}바이트는 클라이언트의 수신 큐에서 읽히기를 기다립니다{waits_ko}.", server.tx_queue, client.rx_queue, client.rx_queue),
    );
}

/// With `--wait`: how to be this lesson's client from a shell.
fn outside_client_howto(l: &Lesson, here: &SockAddr) {
    let nc = lesson::nc_args(here);
    let (host, port) = nc.split_once(' ').unwrap_or((&nc, ""));
    l.say(
        &format!("\n→ In another terminal, with bash, open a connection on fd 3:  exec 3<>/dev/tcp/{host}/{port}\n  Then send each piece with its own printf, one at a time (printf '\\5' is the byte 5):\n    printf '\\0\\0\\0' >&3;  printf '\\5hel' >&3;  printf 'lo' >&3\n    printf '\\0\\0\\0\\4ping\\0\\0' >&3;  printf '\\0\\6fra' >&3;  printf 'med' >&3\n    printf 'one\\ntw' >&3;  printf 'o\\nthree\\n' >&3\n  and read the answer when the lesson says so. End with: exec 3<&-"),
        &format!("\n→ 다른 터미널의 bash에서 fd 3으로 연결을 엽니다:  exec 3<>/dev/tcp/{host}/{port}\n  그다음 조각마다 printf를 따로, 하나씩 실행합니다 (printf '\\5'는 바이트 5입니다):\n    printf '\\0\\0\\0' >&3;  printf '\\5hel' >&3;  printf 'lo' >&3\n    printf '\\0\\0\\0\\4ping\\0\\0' >&3;  printf '\\0\\6fra' >&3;  printf 'med' >&3\n    printf 'one\\ntw' >&3;  printf 'o\\nthree\\n' >&3\n  답은 실습이 말할 때 읽습니다. 끝낼 때: exec 3<&-"),
    );
}

/// The end, however it came: close the data socket, wait for the client,
/// close the listening socket.
fn end(
    l: &Lesson,
    conn: Connection,
    listener: socklab::Listener,
    client: Option<lesson::Peer>,
) -> Outcome {
    l.step(
        "close",
        "done with this client: close the data socket.",
        "이 클라이언트와는 끝났습니다: 데이터 송수신용 소켓을 닫습니다.",
    );
    conn.close()?;
    if let Some(client) = client {
        client.join();
    }
    l.step(
        "close",
        "and the listening socket.",
        "리스닝 소켓도 닫습니다.",
    );
    listener.close()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything `decoder` hands back after `pieces`, in order.
    fn decode_all(decoder: &mut dyn Decoder, pieces: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for piece in pieces {
            decoder.push(piece);
            while let Some(m) = decoder.next_message().unwrap() {
                out.push(m);
            }
        }
        out
    }

    /// The stream cut at every one split point, and at every two.
    fn every_split(stream: &[u8], check: impl Fn(&[&[u8]])) {
        for i in 0..=stream.len() {
            check(&[&stream[..i], &stream[i..]]);
            for j in i..=stream.len() {
                check(&[&stream[..i], &stream[i..j], &stream[j..]]);
            }
        }
        // And one byte at a time.
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        check(&bytes);
    }

    #[test]
    fn frames_come_out_whole_at_every_split_point() {
        let stream = FRAME_PIECES.concat();
        assert_eq!(stream, b"\0\0\0\x04ping\0\0\0\x06framed");
        every_split(&stream, |pieces| {
            let mut d = FrameDecoder::default();
            assert_eq!(
                decode_all(&mut d, pieces),
                [b"ping".to_vec(), b"framed".to_vec()],
                "{pieces:?}"
            );
            assert_eq!(d.pending(), 0);
        });
        // The same with an empty frame and part 1's frame behind it.
        let stream = [&b"\0\0\0\0"[..], &ODD_PIECES.concat()].concat();
        every_split(&stream, |pieces| {
            let mut d = FrameDecoder::default();
            assert_eq!(
                decode_all(&mut d, pieces),
                [b"".to_vec(), b"hello".to_vec()],
                "{pieces:?}"
            );
        });
    }

    #[test]
    fn lines_come_out_whole_at_every_split_point() {
        let stream = LINE_PIECES.concat();
        every_split(&stream, |pieces| {
            let mut d = LineDecoder::default();
            assert_eq!(
                decode_all(&mut d, pieces),
                [b"one".to_vec(), b"two".to_vec(), b"three".to_vec()],
                "{pieces:?}"
            );
            assert_eq!(d.pending(), 0);
        });
    }

    #[test]
    fn an_unfinished_message_stays_in_the_decoder() {
        let mut d = FrameDecoder::default();
        assert!(decode_all(&mut d, &[b"\0\0\0\x05hel"]).is_empty());
        assert_eq!(d.pending(), 7);
        let mut d = LineDecoder::default();
        assert_eq!(decode_all(&mut d, &[b"a\nbc"]), [b"a".to_vec()]);
        assert_eq!(d.pending(), 2);
    }

    #[test]
    fn a_length_over_the_limit_is_refused_before_its_body() {
        let mut d = FrameDecoder::default();
        // "abcd" read as a length: 0x61626364, about 1.6 GB.
        d.push(b"abcd");
        assert_eq!(d.next_message(), Err(0x6162_6364));
    }

    #[test]
    fn the_prefix_is_big_endian() {
        assert_eq!(5u32.to_be_bytes(), [0, 0, 0, 5]);
        // x86-64 keeps 5 as 05 00 00 00 (little-endian); sent like that, a
        // big-endian reader gets 83886080.
        assert_eq!(5u32.to_ne_bytes(), [5, 0, 0, 0]);
        assert_eq!(u32::from_be_bytes(5u32.to_ne_bytes()), 83_886_080);
        assert_eq!((BIG_BODY as u32).to_be_bytes(), *b"\0\0@\0");
        assert_eq!(
            socklab::strace::quote_bytes(&ODD_PIECES.concat()),
            "\"\\0\\0\\0\\5hello\""
        );
    }
}
