//! What a test reads from a response, and a browser that keeps cookies and the CSRF token
//! the way a person's browser does.
use std::collections::HashMap;

use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::LocalResponse;

use super::TestApp;

/// What a test reads from a response.
#[derive(Debug)]
pub struct Reply {
    pub status: Status,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
    pub set_cookies: Vec<Cookie<'static>>,
}

impl Reply {
    pub async fn read(response: LocalResponse<'_>) -> Reply {
        let status = response.status();
        let location = response.headers().get_one("Location").map(str::to_string);
        let content_type = response.content_type().map(|c| c.to_string());
        let set_cookies = response.cookies().iter().map(|c| c.clone().into_owned()).collect();
        // An event stream stays open: its status and headers are the answer.
        let streaming = content_type.as_deref().is_some_and(|c| c.starts_with("text/event-stream"));
        let body = if streaming { String::new() } else { response.into_string().await.unwrap_or_default() };
        Reply { status, location, content_type, body, set_cookies }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Cookies and the CSRF token of one person's browser.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, Cookie<'static>>,
    pub csrf: String,
}

impl Browser<'_> {
    fn keep(&mut self, reply: &Reply) {
        for cookie in &reply.set_cookies {
            let expired = cookie.max_age().is_some_and(|a| a.is_zero() || a.is_negative())
                || cookie.expires_datetime().is_some_and(|t| t < rocket::time::OffsetDateTime::now_utc());
            if expired || cookie.value().is_empty() {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies.insert(cookie.name().to_string(), cookie.clone());
            }
        }
        if let Some(token) = find_csrf(&reply.body) {
            self.csrf = token;
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.app.client.get(path.to_string()).cookies(self.cookies.values().cloned().collect::<Vec<_>>());
        let reply = Reply::read(request.dispatch().await).await;
        self.keep(&reply);
        reply
    }

    /// Posts a form the way a browser would after showing the page: with the CSRF token
    /// (fetched from a page first if this browser has none yet).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        if self.csrf.is_empty() {
            self.get("/login").await;
        }
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = encode(&all);
        self.post_raw(path, &body, ContentType::Form).await
    }

    pub async fn post_raw(&mut self, path: &str, body: &str, content_type: ContentType) -> Reply {
        let request = self
            .app
            .client
            .post(path.to_string())
            .header(content_type)
            .cookies(self.cookies.values().cloned().collect::<Vec<_>>())
            .body(body);
        let reply = Reply::read(request.dispatch().await).await;
        self.keep(&reply);
        reply
    }
}

pub fn encode(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish()
}

pub fn find_csrf(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

impl<'a> Browser<'a> {
    /// A copy of this browser (cookies and CSRF token): what it does leaves the original's
    /// cookies alone (its server-side session is still shared, of course).
    pub fn fork(&self) -> Browser<'a> {
        Browser { app: self.app, cookies: self.cookies.clone(), csrf: self.csrf.clone() }
    }

    /// A urlencoded form body that starts with this browser's CSRF token.
    pub fn form_body(&self, fields: &[(&str, &str)]) -> String {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        encode(&all)
    }

    /// Any request with this browser's cookies: raw bytes as the body, an optional content
    /// type and extra headers (`Accept-Language`, `Authorization`, ...).
    pub async fn send(
        &mut self,
        method: rocket::http::Method,
        path: &str,
        body: Vec<u8>,
        content_type: Option<ContentType>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .app
            .client
            .req(method, path.to_string())
            .cookies(self.cookies.values().cloned().collect::<Vec<_>>())
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header(content_type);
        }
        for (name, value) in headers {
            request = request.header(Header::new(name.to_string(), value.to_string()));
        }
        let reply = Reply::read(request.dispatch().await).await;
        self.keep(&reply);
        reply
    }
}

/// The `version` hidden field of the first form on a page.
pub fn version_field(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}
