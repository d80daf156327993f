//! What to do about a failed call: each errno's advice in one place, for
//! the last line of a lesson that failed and of `socklab serve`/`connect`.
//! (`socklab explain ERRNO --demo` shows each one happening.)

use crate::lesson::josa;
use socklab::addr::{SockAddr, UnixName};
use socklab::lang::Lang;

/// Where the failed call was pointed, and how the learner chooses a port
/// there: a lesson's `--port` flag, or the port in serve's address.
pub struct At<'a> {
    pub addr: &'a SockAddr,
    pub port_flag: bool,
}

/// The advice for `e`, or None for an errno with nothing more to say.
pub fn advice(e: &socklab::Error, at: &At<'_>, lang: Lang) -> Option<String> {
    let addr = at.addr;
    let path = match addr {
        SockAddr::Unix(UnixName::Path(p)) => Some(p.display().to_string()),
        _ => None,
    };
    let text = match (e.name().as_str(), &path) {
        // A Unix socket's name is a file, which stays after its server ends.
        ("EADDRINUSE", Some(p)) if e.call == "bind" && is_socket_file(p) => lang.pick2(
            format!("the file {p} already exists: a socket file stays after its server ends; if no server runs there, remove it with `rm {p}`"),
            format!("{p} 파일이 이미 있습니다: 소켓 파일은 서버가 끝나도 남습니다. 그 경로에서 도는 서버가 없다면 `rm {p}`로 지우세요"),
        ),
        ("EADDRINUSE", Some(p)) if e.call == "bind" => lang.pick2(
            format!("{p} exists and is not a socket file; choose another path"),
            format!("{} 소켓 파일이 아닌 파일입니다: 다른 경로를 고르세요", josa::eun(p)),
        ),
        ("EADDRINUSE", None) if addr.family() == socklab::Family::Unix => lang.pick2(
            format!("{addr} is already in use by another socket; pick another name"),
            format!("{} 이름은 다른 소켓이 쓰고 있습니다: 다른 이름을 고르세요", addr),
        ),
        ("EADDRINUSE", _) if at.port_flag => lang.pick2(
            format!("{addr} is in use (another program, or an earlier run?): pick another port with --port, or --port 0 for any free one"),
            format!("{} 이미 쓰고 있습니다 (다른 프로그램이나 앞선 실행?): --port로 다른 포트를 고르거나, --port 0으로 커널이 빈 포트를 고르게 하세요", josa::eul(addr)),
        ),
        ("EADDRINUSE", _) => lang.pick2(
            format!("{addr} is in use (another program, or an earlier run?): pick another port, or port 0 for any free one"),
            format!("{} 이미 쓰고 있습니다 (다른 프로그램이나 앞선 실행?): 다른 포트를 고르거나, 포트 0으로 커널이 빈 포트를 고르게 하세요", josa::eul(addr)),
        ),
        ("ECONNREFUSED", Some(p)) => lang.pick2(
            format!("{p} is a socket file no server listens on (left by one that ended?); start the server first"),
            format!("{} listen하는 서버가 없는 소켓 파일입니다 (끝난 서버가 남긴 것?): 서버를 먼저 실행하세요", josa::eun(p)),
        ),
        ("ECONNREFUSED", _) => lang.pick2(
            format!("nothing listens at {addr}; start the server first"),
            format!("{addr}에서 listen하는 서버가 없습니다: 서버를 먼저 실행하세요"),
        ),
        ("ENOENT", Some(p)) if e.call == "connect" => lang.pick2(
            format!("there is no socket file {p}; start the server first"),
            format!("소켓 파일 {} 없습니다: 서버를 먼저 실행하세요", josa::i(p)),
        ),
        ("ENOENT", Some(p)) => lang.pick2(
            format!("the directory of {p} does not exist"),
            format!("{p}의 디렉터리가 없습니다"),
        ),
        ("EACCES", Some(p)) => lang.pick2(
            format!("no permission for {p} or its directory"),
            format!("{p} 또는 그 디렉터리에 권한이 없습니다"),
        ),
        ("EACCES", None) => lang.pick2(
            "ports below 1024 need root: use a port of 1024 or more".to_string(),
            "1024 미만 포트는 root 권한이 필요합니다: 1024 이상을 쓰세요".to_string(),
        ),
        ("EADDRNOTAVAIL", _) => lang.pick2(
            format!("{addr} is not an address of this machine: use 127.0.0.1"),
            format!("{} 이 컴퓨터의 주소가 아닙니다: 127.0.0.1을 쓰세요", josa::eun(addr)),
        ),
        ("ECONNRESET", _) => lang.pick2(
            "the peer reset the connection: it closed with data unread, or with SO_LINGER 0".to_string(),
            "상대가 연결을 리셋했습니다: 읽지 않은 데이터를 둔 채 닫았거나 SO_LINGER 0으로 닫았습니다".to_string(),
        ),
        ("EPIPE", _) => lang.pick2(
            "the peer has closed the connection: nothing more can be sent on it".to_string(),
            "상대가 이미 연결을 닫았습니다: 이 연결로는 더 보낼 수 없습니다".to_string(),
        ),
        _ => return None,
    };
    Some(text)
}

fn is_socket_file(path: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

#[cfg(test)]
mod tests {
    use super::*;
    use socklab::Errno;

    fn err(call: &'static str, errno: Errno) -> socklab::Error {
        socklab::Error { call, errno }
    }

    #[test]
    fn a_busy_port_names_the_way_to_choose_another() {
        let addr = SockAddr::loopback(7803);
        let e = err("bind", Errno::EADDRINUSE);
        let lesson = advice(
            &e,
            &At {
                addr: &addr,
                port_flag: true,
            },
            Lang::En,
        )
        .unwrap();
        assert!(lesson.contains("--port 0"), "{lesson}");
        let serve = advice(
            &e,
            &At {
                addr: &addr,
                port_flag: false,
            },
            Lang::En,
        )
        .unwrap();
        assert!(
            serve.contains("port 0") && !serve.contains("--port"),
            "{serve}"
        );
        let ko = advice(
            &e,
            &At {
                addr: &addr,
                port_flag: true,
            },
            Lang::Ko,
        )
        .unwrap();
        assert!(ko.starts_with("127.0.0.1:7803을 이미"), "{ko}");
    }

    #[test]
    fn korean_particles_follow_the_value_read_aloud() {
        let addr: SockAddr = "10.0.0.1:80".parse().unwrap();
        let at = At {
            addr: &addr,
            port_flag: false,
        };
        let ko = advice(&err("bind", Errno::EADDRNOTAVAIL), &at, Lang::Ko).unwrap();
        // 80 is read 팔십: it ends in a consonant, so 은.
        assert!(
            ko.starts_with("10.0.0.1:80은 이 컴퓨터의 주소가 아닙니다"),
            "{ko}"
        );
    }

    #[test]
    fn reset_and_broken_pipe_are_told_apart() {
        let addr = SockAddr::loopback(1);
        let at = At {
            addr: &addr,
            port_flag: false,
        };
        let reset = advice(&err("recvfrom", Errno::ECONNRESET), &at, Lang::En).unwrap();
        let pipe = advice(&err("sendto", Errno::EPIPE), &at, Lang::En).unwrap();
        assert!(reset.contains("SO_LINGER 0"), "{reset}");
        assert!(pipe.contains("has closed"), "{pipe}");
        assert!(advice(&err("recvfrom", Errno::EAGAIN), &at, Lang::En).is_none());
    }
}
