//! A stand-in for the console federation endpoint (no emulator exists for it): records each
//! request target and answers every request with the same status and body.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

pub struct FakeFederation {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FakeFederation {
    pub fn start(status: u16, body: &str) -> FakeFederation {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/federation",
            listener.local_addr().unwrap().port()
        );
        let requests = Arc::new(Mutex::new(vec![]));
        let seen = requests.clone();
        let body = body.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let target = request_line.split(' ').nth(1).unwrap_or("").to_string();
                seen.lock().unwrap().push(target);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        FakeFederation { url, requests }
    }

    /// Every request target so far (path and query).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}
