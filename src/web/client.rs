//! The address a request comes from, as the login limit per address counts it: the peer
//! of the connection, unless that peer is a proxy Staffel was told to trust
//! (`STAFFEL_TRUSTED_PROXIES`). Rocket on its own believes `X-Real-IP` from anyone, so a
//! client could rotate it to escape the limit, or name someone else's address to lock
//! them out.
use std::net::IpAddr;

use rocket::http::HeaderMap;
use rocket::request::{FromRequest, Outcome, Request};

use crate::app::App;
use crate::config::Network;

pub struct ClientAddress(pub Option<IpAddr>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let trusted = req.rocket().state::<App>().map(|app| app.settings.trusted_proxies()).unwrap_or_default();
        let peer = req.remote().map(|socket| socket.ip().to_canonical());
        Outcome::Success(ClientAddress(peer.map(|peer| client_address(peer, &trusted, req.headers()))))
    }
}

/// The client behind `peer`: `peer` itself unless it is trusted; then the nearest address
/// in `X-Forwarded-For` that is not a trusted proxy (the ones further left were written by
/// the client and prove nothing), else `X-Real-IP`, else the peer. An entry that is no
/// address ends the walk at the last proxy known.
pub fn client_address(peer: IpAddr, trusted: &[Network], headers: &HeaderMap<'_>) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|network| network.contains(address));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded: Vec<&str> =
        headers.get("X-Forwarded-For").flat_map(|value| value.split(',')).map(str::trim).collect();
    if forwarded.is_empty() {
        return headers.get_one("X-Real-IP").and_then(|value| value.trim().parse::<IpAddr>().ok()).unwrap_or(peer);
    }
    let mut nearest = peer;
    for entry in forwarded.iter().rev() {
        match entry.parse::<IpAddr>() {
            Ok(address) if !is_trusted(address.to_canonical()) => return address.to_canonical(),
            Ok(address) => nearest = address.to_canonical(),
            Err(_) => break,
        }
    }
    nearest
}
