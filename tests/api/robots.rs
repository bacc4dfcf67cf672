//! A local HTTP server that plays a group-chat robot's API or a webhook's
//! receiver: it records every request and answers from a script (then
//! with the service's success), so tests can check the exact requests made
//! and the retries after each kind of failure.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

/// One request as the robot saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The path and query, e.g. `/cgi-bin/webhook/send?key=…`.
    pub target: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn query(&self) -> HashMap<String, String> {
        let url = url::Url::parse(&format!("http://x{}", self.target)).unwrap();
        url.query_pairs().into_owned().collect()
    }
}

/// An answer to give.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }
}

#[derive(Clone)]
struct Script {
    seen: Arc<Mutex<Vec<Seen>>>,
    next: Arc<Mutex<VecDeque<Answer>>>,
    otherwise: Answer,
    /// How long every answer takes (a slow receiver).
    delay: Arc<Mutex<Duration>>,
}

pub struct FakeRobot {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    script: Script,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for FakeRobot {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn answer(req: HttpRequest, body: web::Bytes, script: web::Data<Script>) -> HttpResponse {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    script.seen.lock().unwrap().push(Seen {
        target,
        headers,
        body: body.to_vec(),
    });
    let a = script
        .next
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| script.otherwise.clone());
    let mut res = HttpResponse::build(actix_web::http::StatusCode::from_u16(a.status).unwrap());
    for (k, v) in a.headers {
        res.insert_header((k, v));
    }
    let delay = *script.delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    res.content_type("application/json").body(a.body)
}

impl FakeRobot {
    /// A robot that answers `otherwise` once `first` is used up.
    pub async fn start(first: Vec<Answer>, otherwise: Answer) -> FakeRobot {
        let script = Script {
            seen: Arc::new(Mutex::new(Vec::new())),
            next: Arc::new(Mutex::new(first.into())),
            otherwise,
            delay: Arc::new(Mutex::new(Duration::ZERO)),
        };
        let data = web::Data::new(script.clone());
        let server =
            HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(answer)))
                .workers(2)
                .bind("127.0.0.1:0")
                .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        FakeRobot {
            base: format!("http://127.0.0.1:{port}"),
            script,
            handle,
        }
    }

    /// Makes every answer from now on take `delay`.
    pub fn slow_down(&self, delay: Duration) {
        *self.script.delay.lock().unwrap() = delay;
    }

    /// Gives `answer` to the next request, before the rest of the script.
    pub fn script_next(&self, answer: Answer) {
        self.script.next.lock().unwrap().push_front(answer);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().unwrap().clone()
    }

    /// Waits (at most 15 s) until `n` requests came; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Seen> {
        for _ in 0..300 {
            let seen = self.seen();
            if seen.len() >= n {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} requests, the robot saw {:?}", self.seen());
    }
}
