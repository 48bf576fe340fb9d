//! An SMTP server inside the test process, and free ports for servers that start later.
/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// What an in-process SMTP server received: the envelope and the raw message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone)]
struct Collect {
    inbox: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    current: Option<Received>,
    hold: std::sync::Arc<Hold>,
}

/// A server that answers the end of the message numbered `at` (counted from 0 over what it
/// accepted) only once the test lets it: the moment a sender waits for the server's word.
#[derive(Default)]
struct Hold {
    at: Option<usize>,
    state: std::sync::Mutex<HoldState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct HoldState {
    holding: bool,
    released: bool,
}

impl mailin_embedded::Handler for Collect {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> mailin_embedded::Response {
        self.current = Some(Received { from: from.to_string(), to: to.to_vec(), data: Vec::new() });
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let Some(done) = self.current.take() {
            let number = self.inbox.lock().unwrap().len();
            if self.hold.at == Some(number) {
                let mut state = self.hold.state.lock().unwrap();
                // Once: the message sent again after it is answered at once.
                if !state.holding {
                    state.holding = true;
                    self.hold.changed.notify_all();
                    while !state.released {
                        state = self.hold.changed.wait(state).unwrap();
                    }
                }
            }
            self.inbox.lock().unwrap().push(done);
        }
        mailin_embedded::response::OK
    }
}

/// An SMTP server in this process (mailin-embedded on a std thread) that keeps every
/// message it accepts. It serves until the test process ends.
pub struct SmtpServer {
    pub port: u16,
    inbox: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    hold: std::sync::Arc<Hold>,
}

impl SmtpServer {
    /// A server on a port of its own.
    pub fn start() -> SmtpServer {
        SmtpServer::serve(std::net::TcpListener::bind("127.0.0.1:0").expect("bind an SMTP port"))
    }

    /// A server that accepts `accepted` messages and then, receiving the next one, keeps its
    /// answer until `release` (and keeps that message too).
    pub fn start_holding_after(accepted: usize) -> SmtpServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an SMTP port");
        SmtpServer::serve_with(listener, Hold { at: Some(accepted), ..Default::default() })
    }

    /// Waits until the held message has arrived and the sender waits for the answer.
    pub fn wait_until_holding(&self, within: std::time::Duration) {
        let state = self.hold.state.lock().unwrap();
        let (state, _) = self.hold.changed.wait_timeout_while(state, within, |s| !s.holding).unwrap();
        assert!(state.holding, "the held message never arrived");
    }

    /// Answers the held message: the server accepts it.
    pub fn release(&self) {
        self.hold.state.lock().unwrap().released = true;
        self.hold.changed.notify_all();
    }

    /// A server on this port (one that the test found free earlier).
    pub fn start_on(port: u16) -> SmtpServer {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match std::net::TcpListener::bind(("127.0.0.1", port)) {
                Ok(listener) => return SmtpServer::serve(listener),
                Err(e) if std::time::Instant::now() < deadline => {
                    eprintln!("port {port} not free yet: {e}");
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => panic!("cannot bind SMTP port {port}: {e}"),
            }
        }
    }

    fn serve(listener: std::net::TcpListener) -> SmtpServer {
        SmtpServer::serve_with(listener, Hold::default())
    }

    fn serve_with(listener: std::net::TcpListener, hold: Hold) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let inbox = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let hold = std::sync::Arc::new(hold);
        let handler = Collect { inbox: inbox.clone(), current: None, hold: hold.clone() };
        let mut server = mailin_embedded::Server::new(handler);
        server.with_name("smtp.test").with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer { port, inbox, hold }
    }

    /// `smtp://127.0.0.1:PORT`, for `staffel.smtp_url` / `STAFFEL_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}
