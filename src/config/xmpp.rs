//! Staffel's own XMPP account, through which agents who linked an address answer chats
//! from their XMPP client. Checked once at start: a typo would otherwise show only as
//! agents who never hear of a request.
use super::Settings;

/// How Staffel reaches its XMPP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmppTransport {
    /// TLS after connecting (RFC 6120), against the system's certificates.
    StartTls,
    /// Unencrypted: only for a server on the same host (a loopback address).
    Plain,
}

impl Settings {
    pub(super) fn validate_xmpp(&self) -> Result<(), String> {
        if self.xmpp_jid.trim().is_empty() {
            return Ok(());
        }
        let Some((node, domain)) = self.xmpp_jid.trim().split_once('@') else {
            return Err("STAFFEL_XMPP_JID must be an address like staffel@example.org".into());
        };
        if node.is_empty() || domain.is_empty() || domain.contains('/') || domain.contains('@') {
            return Err("STAFFEL_XMPP_JID must be an address like staffel@example.org".into());
        }
        if self.xmpp_password.is_empty() {
            return Err("STAFFEL_XMPP_PASSWORD is needed with STAFFEL_XMPP_JID".into());
        }
        let server = self.xmpp_server.trim();
        if !server.is_empty() && self.xmpp_server_address().is_none() {
            return Err(format!("STAFFEL_XMPP_SERVER: \"{server}\" is not host:port"));
        }
        match self.xmpp_transport.trim() {
            "starttls" => Ok(()),
            "plain" => match self.xmpp_server_address() {
                Some((host, _)) if is_loopback(&host) => Ok(()),
                _ => Err("STAFFEL_XMPP_TRANSPORT=plain is only for a server on this host: \
                          set STAFFEL_XMPP_SERVER to 127.0.0.1:PORT or localhost:PORT"
                    .into()),
            },
            other => Err(format!("STAFFEL_XMPP_TRANSPORT must be starttls or plain, not \"{other}\"")),
        }
    }

    /// Whether agents may answer from XMPP (Staffel has an account).
    pub fn xmpp_enabled(&self) -> bool {
        !self.xmpp_jid.trim().is_empty()
    }

    /// The server named in the settings, if one is.
    pub fn xmpp_server_address(&self) -> Option<(String, u16)> {
        let (host, port) = self.xmpp_server.trim().rsplit_once(':')?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
        (!host.is_empty()).then(|| (host.to_string(), port))
    }

    pub fn xmpp_transport(&self) -> XmppTransport {
        match self.xmpp_transport.trim() {
            "plain" => XmppTransport::Plain,
            _ => XmppTransport::StartTls,
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(jid: &str, server: &str, transport: &str) -> Settings {
        Settings {
            xmpp_jid: jid.into(),
            xmpp_password: "secret".into(),
            xmpp_server: server.into(),
            xmpp_transport: transport.into(),
            ..Settings::default()
        }
    }

    #[test]
    fn plain_transport_is_only_for_a_server_on_this_host() {
        assert!(with("staffel@localhost", "127.0.0.1:5222", "plain").validate_xmpp().is_ok());
        assert!(with("staffel@localhost", "localhost:5222", "plain").validate_xmpp().is_ok());
        assert!(with("staffel@example.org", "xmpp.example.org:5222", "plain").validate_xmpp().is_err());
        assert!(with("staffel@example.org", "", "plain").validate_xmpp().is_err());
        assert!(with("staffel@example.org", "", "starttls").validate_xmpp().is_ok());
    }

    #[test]
    fn a_malformed_account_or_server_is_refused_at_start() {
        assert!(with("staffel", "", "starttls").validate_xmpp().is_err());
        assert!(with("@example.org", "", "starttls").validate_xmpp().is_err());
        assert!(with("staffel@example.org", "example.org", "starttls").validate_xmpp().is_err());
        assert!(with("staffel@example.org", "", "tls").validate_xmpp().is_err());
        assert!(with("", "", "tls").validate_xmpp().is_ok(), "no account: nothing to check");
        let mut no_password = with("staffel@example.org", "", "starttls");
        no_password.xmpp_password.clear();
        assert!(no_password.validate_xmpp().is_err());
    }
}
