//! `staffel demo` on an empty desk tells its story through the service functions: the desk,
//! the school's pages and the reports have something in every state, spread over weeks, and
//! each ticket carries the events and audit records real use leaves.
use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement};

use super::{migrate, Setup};
use crate::common::Backend;
use entities::{
    audit_event, chat, chat_message, forward, kb_article, kb_search_miss, kb_vote, report, ticket, ticket_event,
    ArticleStatus, ChatStatus, TicketStatus,
};

both_dbs!(
    async fn demo_story_fills_every_status_with_the_history_real_use_leaves(backend: Backend) {
        let setup = Setup::new(&backend).await;
        migrate(&setup);
        let out = setup.ok(&["demo"]);
        assert!(out.contains("Demo story added"), "{out}");
        let db = setup.db().await;
        let tickets = ticket::Entity::find().all(&db).await.unwrap();
        assert!((20..=30).contains(&tickets.len()), "about two dozen tickets, not {}", tickets.len());
        let statuses: HashSet<_> = tickets.iter().map(|t| t.status).collect();
        for status in [
            TicketStatus::New,
            TicketStatus::Open,
            TicketStatus::WaitingOnSchool,
            TicketStatus::AtProvider,
            TicketStatus::Resolved,
            TicketStatus::Closed,
        ] {
            assert!(statuses.contains(&status), "no ticket is {status:?}");
        }
        let priorities: HashSet<_> = tickets.iter().map(|t| t.priority.as_str()).collect();
        assert_eq!(priorities, HashSet::from(["P1", "P2", "P3", "P4"]));
        let now = Utc::now();
        let oldest = tickets.iter().map(|t| t.created_at).min().unwrap();
        assert!(now - oldest > Duration::days(14), "the history spans weeks, from {oldest}");
        let overdue = |t: &&ticket::Model| {
            t.status.is_active() && t.resolution_due.is_some_and(|due| due < now)
                || t.first_response_at.is_none() && t.first_response_due.is_some_and(|due| due < now)
        };
        assert!(tickets.iter().filter(overdue).count() >= 2, "some tickets are overdue");
        assert!(tickets.iter().any(|t| t.to_verify), "one waits in 'Zu prüfen'");
        assert!(
            tickets.iter().any(|t| t.status == TicketStatus::Open && t.outside_news_at.is_some()),
            "an open ticket has unread news from the school"
        );
        let forwards = forward::Entity::find().all(&db).await.unwrap();
        let at_provider: Vec<_> = tickets.iter().filter(|t| t.status == TicketStatus::AtProvider).collect();
        assert_eq!(at_provider.len(), 2, "two at providers");
        assert!(
            forwards.iter().any(|f| at_provider.iter().any(|t| t.id == f.ticket_id) && f.provider_reference.is_some()),
            "one at a provider is acknowledged with the provider's reference"
        );
        for t in &tickets {
            let events = ticket_event::Entity::find().filter(ticket_event::Column::TicketId.eq(t.id)).all(&db).await;
            let events = events.unwrap();
            assert!(events.iter().all(|e| e.created_at >= t.created_at && e.created_at <= now), "{}", t.title);
            let audited = audit_event::Entity::find()
                .filter(audit_event::Column::TargetType.eq("ticket"))
                .filter(audit_event::Column::TargetId.eq(t.id))
                .count(&db)
                .await
                .unwrap();
            assert!(audited >= 1 && !events.is_empty(), "{} has its events and audit records", t.title);
        }
        // The story moved its tickets back in time past the kernel: the report's day
        // tallies count them on the days they now carry.
        let mut expected: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
        let day = |at| staffel::tickets::tally::day_of(at, chrono_tz::Europe::Berlin);
        for t in &tickets {
            expected.entry(day(t.created_at)).or_default().0 += 1;
            if let Some(solved) = t.resolved_at {
                expected.entry(day(solved)).or_default().1 += 1;
            }
        }
        let sql = "SELECT day, CAST(SUM(opened) AS BIGINT) AS opened, CAST(SUM(solved) AS BIGINT) AS solved \
                   FROM ticket_tallies WHERE facet = 'all' AND school_id = 0 GROUP BY day";
        let tallied: BTreeMap<i32, (i64, i64)> = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                let get = |c: &str| r.try_get::<i64>("", c).unwrap();
                (r.try_get::<i32>("", "day").unwrap(), (get("opened"), get("solved")))
            })
            .filter(|(_, counts)| *counts != (0, 0))
            .collect();
        assert_eq!(tallied, expected, "the tallies by day");
        assert!(expected.len() > 7, "the story spreads over many days: {expected:?}");
        let reports: HashSet<_> =
            report::Entity::find().all(&db).await.unwrap().into_iter().map(|r| r.status.as_str()).collect();
        assert_eq!(reports, HashSet::from(["new", "answered", "escalated"]));
        let drafts = kb_article::Entity::find().filter(kb_article::Column::Status.eq(ArticleStatus::Draft));
        assert!(drafts.count(&db).await.unwrap() >= 1, "an FAQ draft from a solution");
        assert!(kb_search_miss::Entity::find().count(&db).await.unwrap() >= 2, "missed searches");
        assert!(kb_vote::Entity::find().count(&db).await.unwrap() >= 3, "article ratings");
        let chats = chat::Entity::find().filter(chat::Column::Status.eq(ChatStatus::Closed)).all(&db).await.unwrap();
        assert!(!chats.is_empty(), "closed chats");
        let lines = chat_message::Entity::find().filter(chat_message::Column::ChatId.eq(chats[0].id));
        assert!(lines.count(&db).await.unwrap() >= 3, "with a few lines");
        let _ = db.close().await;
    }
);
