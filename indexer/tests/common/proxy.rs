//! A fault-injecting JSON-RPC proxy on 127.0.0.1, speaking HTTP/1.1 on raw sockets so
//! it can do what a real RPC provider does on a bad day: answer 429 with Retry-After,
//! stall past the client's timeout, drop the connection, send garbage, cut a reply short,
//! send the reply of another request, and send a reply of an earlier request of the same
//! method out of order. Faults are drawn from a seeded RNG at a configurable rate and
//! counted by kind.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    RateLimited,
    Stall,
    Dropped,
    Garbage,
    Truncated,
    StaleReply,
    /// A reply of an earlier request of the same method (another cursor, another
    /// transaction), as a provider that mixes up its replies sends it.
    Reordered,
}

pub const FAULTS: [Fault; 7] = [
    Fault::RateLimited,
    Fault::Stall,
    Fault::Dropped,
    Fault::Garbage,
    Fault::Truncated,
    Fault::StaleReply,
    Fault::Reordered,
];

/// Earlier replies kept per method for reordering.
const HISTORY: usize = 16;

struct State {
    upstream: String,
    /// Faults per thousand requests.
    rate: AtomicU32,
    stall: Duration,
    rng: Mutex<StdRng>,
    last_reply: Mutex<Option<Vec<u8>>>,
    by_method: Mutex<HashMap<String, VecDeque<Vec<u8>>>>,
    injected: Mutex<BTreeMap<Fault, u64>>,
    client: reqwest::Client,
}

pub struct Proxy {
    pub url: String,
    state: Arc<State>,
}

impl Proxy {
    /// Listens on a free port and forwards to `upstream`, faulting `per_mille` requests
    /// in a thousand; `stall` should exceed the client's timeout.
    pub async fn start(upstream: &str, per_mille: u32, stall: Duration, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let state = Arc::new(State {
            upstream: upstream.to_string(),
            rate: AtomicU32::new(per_mille),
            stall,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            last_reply: Mutex::new(None),
            by_method: Mutex::new(HashMap::new()),
            injected: Mutex::new(BTreeMap::new()),
            client: reqwest::Client::new(),
        });
        let accepting = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, accepting.clone()));
            }
        });
        Self { url, state }
    }

    pub fn set_rate(&self, per_mille: u32) {
        self.state.rate.store(per_mille, Ordering::SeqCst);
    }

    /// Faults injected so far, by kind.
    pub fn injected(&self) -> BTreeMap<Fault, u64> {
        self.state.injected.lock().expect("counts").clone()
    }
}

/// Reads one HTTP/1.1 request: its body, or `None` at the end of the connection.
async fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut length = 0usize;
    let mut first = true;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        if first && line.trim().is_empty() {
            continue;
        }
        first = false;
        if line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(body)
}

fn response(status: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn method(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("method")?.as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn serve(socket: TcpStream, state: Arc<State>) {
    let mut reader = BufReader::new(socket);
    while let Some(body) = read_request(&mut reader).await {
        let method = method(&body);
        let (fault, earlier) = {
            let mut rng = state.rng.lock().expect("rng");
            let rate = state.rate.load(Ordering::SeqCst);
            let fault =
                (rng.gen_range(0..1000) < rate).then(|| FAULTS[rng.gen_range(0..FAULTS.len())]);
            let history = state.by_method.lock().expect("history");
            let earlier = history
                .get(&method)
                .filter(|h| !h.is_empty())
                .map(|h| h[rng.gen_range(0..h.len())].clone());
            (fault, earlier)
        };
        let stale = state.last_reply.lock().expect("last").clone();
        let fault = match (fault, &stale, &earlier) {
            (Some(Fault::StaleReply), None, _) | (Some(Fault::Reordered), _, None) => None,
            (f, _, _) => f,
        };
        if let Some(f) = fault {
            *state.injected.lock().expect("counts").entry(f).or_default() += 1;
        }
        let reply = match fault {
            Some(Fault::Dropped) => return,
            Some(Fault::Stall) => {
                tokio::time::sleep(state.stall).await;
                return;
            }
            Some(Fault::RateLimited) => response(
                "429 Too Many Requests",
                "retry-after: 1\r\n",
                br#"{"jsonrpc":"2.0","error":{"code":429,"message":"Too many requests"},"id":1}"#,
            ),
            Some(Fault::Garbage) => response("200 OK", "", b"<html>upstream error</html>"),
            Some(Fault::StaleReply) => response("200 OK", "", stale.as_deref().unwrap_or(b"")),
            Some(Fault::Reordered) => response("200 OK", "", earlier.as_deref().unwrap_or(b"")),
            Some(Fault::Truncated) | None => {
                let upstream = state
                    .client
                    .post(&state.upstream)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let Ok(upstream) = upstream else { return };
                let Ok(bytes) = upstream.bytes().await else {
                    return;
                };
                *state.last_reply.lock().expect("last") = Some(bytes.to_vec());
                {
                    let mut history = state.by_method.lock().expect("history");
                    let kept = history.entry(method).or_default();
                    if kept.len() == HISTORY {
                        kept.pop_front();
                    }
                    kept.push_back(bytes.to_vec());
                }
                if fault == Some(Fault::Truncated) {
                    let full = response("200 OK", "", &bytes);
                    let cut = full.len() - bytes.len() / 2 - 1;
                    let socket = reader.get_mut();
                    let _ = socket.write_all(&full[..cut]).await;
                    return;
                }
                response("200 OK", "", &bytes)
            }
        };
        if reader.get_mut().write_all(&reply).await.is_err() {
            return;
        }
    }
}
