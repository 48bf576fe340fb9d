//! Several instances on one PostgreSQL: one of them holds the XMPP connection, serves
//! requests and lines of the others through the live relay, and another takes over when it
//! goes. (On SQLite there is one instance; its lock file keeps a second process out.)
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;

use super::prosody::{self, Prosody};
use super::{anna_becomes, linked_anna_on, school_reads};
use crate::chat::{ask, people, ADMIN_A};
use crate::common::{Backend, Instance, LiveServer};

/// Which of these instances is signed in to the XMPP server, once exactly one is.
async fn the_holder<'a>(instances: &[&'a Instance]) -> &'a Instance {
    for _ in 0..300 {
        let up: Vec<_> = instances.iter().filter(|i| i.live.metrics.xmpp_up.load(Ordering::Relaxed) == 1).collect();
        if up.len() == 1 {
            return up[0];
        }
        assert!(up.len() < 2, "two instances hold the XMPP connection");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no instance signed in to the XMPP server within 30 s");
}

both_dbs!(
    #[worker_threads(4)]
    async fn one_instance_holds_the_xmpp_connection_and_another_takes_over(backend: Backend) {
        if !prosody::available() || matches!(backend, Backend::Sqlite) {
            return;
        }
        let prosody = Prosody::start(&["anna"]);
        // The instance the school uses has no XMPP account; two others have.
        let server = LiveServer::start_launched_with(&backend, |f| f).await;
        people(&server.app).await;
        let b = server.another_instance_with(|f| prosody.settings(f)).await;
        let c = server.another_instance_with(|f| prosody.settings(f)).await;
        let holder = the_holder(&[&b, &c]).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(b.live.metrics.xmpp_up.load(Ordering::Relaxed) + c.live.metrics.xmpp_up.load(Ordering::Relaxed), 1);
        let mut anna = linked_anna_on(&server, &holder.live, &prosody).await;
        anna_becomes(&server, entities::PresenceState::Online).await;

        let admin = server.client(ADMIN_A).await;
        let chat = ask(&admin, "Das Whiteboard in Raum 12 reagiert nicht.").await;
        let id = chat["id"].as_i64().unwrap();
        anna.expect(&format!("!annehmen {id}")).await;
        anna.say(&format!("!annehmen {id}")).await;
        anna.expect("Jörg Schäfer: Das Whiteboard").await;
        let said =
            admin.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Stift geht auch nicht." })).await;
        assert_eq!(said.status, 201, "{:?}", said.json);
        anna.expect("Jörg Schäfer: Stift geht auch nicht.").await;
        anna.say("Ich schalte es aus der Ferne neu.").await;
        school_reads(&server, id, "aus der Ferne").await;

        // The holder goes; the other one takes over, and the chat goes on through it.
        let (gone, remaining) = if std::ptr::eq(holder, &b) { (b, c) } else { (c, b) };
        drop(gone);
        the_holder(&[&remaining]).await;
        let said = admin.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Jetzt geht es!" })).await;
        assert_eq!(said.status, 201, "{:?}", said.json);
        anna.expect("Jörg Schäfer: Jetzt geht es!").await;
    }
);
