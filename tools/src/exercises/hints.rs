//! `socklab hint N`: each exercise's hints, from a nudge to the answer's
//! shape, in English and Korean. An exercise without hints of its own
//! here gives its rules' hints (from the grader's registry), in order.

use crate::grade::exercise::Exercise;
use socklab::lang::Lang;

/// A hint in both languages.
pub type Hint = (&'static str, &'static str);

const EXERCISE_1: &[Hint] = &[
    (
        "TCP is a byte stream: the server's sends do not arrive as separate messages. One recv returns what has arrived so far, which may be a few bytes or everything.",
        "TCP는 바이트 스트림입니다. 서버가 send한 단위 그대로 도착하지 않습니다. recv 한 번은 그때까지 도착한 만큼을 반환하며, 몇 바이트일 수도 있고 전부일 수도 있습니다.",
    ),
    (
        "recv returns 0 only when the server has closed its side (EOF): that is the one sign that nothing more will come. Keep calling recv until you see it (lesson 6 shows it: socklab run 6).",
        "recv는 서버가 자기 쪽 연결을 닫았을 때(EOF)에만 0을 반환합니다. 더 올 데이터가 없다는 신호는 이것 하나뿐입니다. 0이 나올 때까지 recv를 계속 호출하십시오(제 6강에서 볼 수 있습니다: socklab run 6).",
    ),
    (
        "The loop: `loop { let n = conn.recv(&mut buf, MsgFlags::NONE)?; if n == 0 { break; } greeting.extend_from_slice(&buf[..n]); }`, then `Ok(greeting)`. In C: `while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);`.",
        "반복문은 이렇습니다. `loop { let n = conn.recv(&mut buf, MsgFlags::NONE)?; if n == 0 { break; } greeting.extend_from_slice(&buf[..n]); }` 그 뒤 `Ok(greeting)`을 반환합니다. C에서는 `while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);`입니다.",
    ),
];

const EXERCISE_2: &[Hint] = &[
    (
        "accept returns a new socket for this one client: receive and send on `conn`, never on the listening socket (lesson 4: socklab run 4).",
        "accept는 이 클라이언트 하나를 위한 새 소켓을 반환합니다. 데이터 송수신은 리스닝 소켓이 아니라 `conn`으로 하십시오(제 4강: socklab run 4).",
    ),
    (
        "The client sends its line in two pieces. Call recv again and again, adding each piece, until the bytes hold b'\\n'; a recv of 0 means the client closed before its line was complete.",
        "클라이언트는 요청 줄을 두 조각으로 보냅니다. 받은 바이트에 b'\\n'이 들어 있을 때까지 recv를 반복 호출하며 조각을 모으십시오. recv가 0을 반환하면 클라이언트가 줄을 다 보내기 전에 연결을 닫은 것입니다.",
    ),
    (
        "send may take fewer bytes than you give it: `let mut sent = 0; while sent < line.len() { sent += conn.send(&line[sent..], MsgFlags::NONE)?; }`. Then return Ok(()); main closes both sockets.",
        "send는 넘긴 것보다 적은 바이트만 보낼 수 있습니다. `let mut sent = 0; while sent < line.len() { sent += conn.send(&line[sent..], MsgFlags::NONE)?; }` 그 뒤 Ok(())를 반환하면 main이 두 소켓을 닫습니다.",
    ),
];

/// Exercise `ex`'s hints, in order.
pub fn hints(ex: &Exercise) -> Vec<Hint> {
    match ex.number {
        1 => EXERCISE_1.to_vec(),
        2 => EXERCISE_2.to_vec(),
        _ => ex.rules.iter().map(|r| r.hint).collect(),
    }
}

/// Hint `i` (from 0) of `ex`, as shown: "hint 2 of 3: …".
pub fn render(ex: &Exercise, i: usize, lang: Lang) -> Option<String> {
    let all = hints(ex);
    let hint = all.get(i)?;
    Some(match lang {
        Lang::En => format!(
            "exercise {}, hint {} of {}: {}\n",
            ex.number,
            i + 1,
            all.len(),
            hint.0
        ),
        Lang::Ko => format!(
            "연습 문제 {}, 힌트 {}/{}: {}\n",
            ex.number,
            i + 1,
            all.len(),
            hint.1
        ),
    })
}
