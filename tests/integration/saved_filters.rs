//! Saved queue filters: each agent's own, stored as the queue writes its filter, at most
//! twenty.
use crate::common::{html_message, Backend, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::EntityTrait;
use staffel::i18n::Lang;

const AGENT: &str = "agent@desk.de";
const OTHER: &str = "other@desk.de";

async fn desk(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym-a").await;
    app.users(&[(AGENT, "agent", ""), (OTHER, "agent", "")]).await;
    app
}

async fn stored(app: &TestApp) -> Vec<entities::saved_filter::Model> {
    entities::saved_filter::Entity::find().all(app.db()).await.expect("read saved filters")
}

both_dbs!(
    async fn a_saved_filter_is_its_agents_own(backend: Backend) {
        let app = desk(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let saved = agent
            .post_form("/desk/filters", &[("name", "Dringend Gym A"), ("query", "queue=open&school=gym-a&priority=P1")])
            .await;
        assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
        assert_eq!(saved.location.as_deref(), Some("/desk?queue=open&school=gym-a&priority=P1"));
        let queue = agent.get("/desk").await;
        assert!(queue.body.contains("Dringend Gym A"), "the agent sees it above the queue");
        assert!(queue.body.contains("href=\"/desk?queue=open&amp;school=gym-a&amp;priority=P1\""), "{}", queue.body);
        let mut other = app.login(OTHER, PASSWORD).await;
        assert!(!other.get("/desk").await.body.contains("Dringend Gym A"), "another agent does not");
        let id = stored(&app).await[0].id;
        let refused = other.post_form(&format!("/desk/filters/{id}/delete"), &[]).await;
        assert_eq!(refused.status, Status::NotFound, "nor deletes it");
        assert_eq!(stored(&app).await.len(), 1);
        let deleted = agent.post_form(&format!("/desk/filters/{id}/delete"), &[]).await;
        assert_eq!(deleted.status, Status::SeeOther);
        assert!(stored(&app).await.is_empty());
    }
);

both_dbs!(
    async fn only_the_parameters_the_queue_knows_are_kept(backend: Backend) {
        let app = desk(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let query = "?evil=%3Cscript%3E&priority=P2&after=2026-01-01T00:00:00Z_5&limit=3&queue=mine&x=1";
        let saved = agent.post_form("/desk/filters", &[("name", "Meine P2"), ("query", query)]).await;
        assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
        assert_eq!(stored(&app).await[0].query, "queue=mine&priority=P2");
        // What the queue would refuse is refused here too, with its message.
        let unknown = agent.post_form("/desk/filters", &[("name", "Kaputt"), ("query", "school=gibt-es-nicht")]).await;
        assert_eq!(unknown.status, Status::UnprocessableEntity);
        assert!(unknown.body.contains(&html_message(Lang::De, "validation.unknown_school", "gibt-es-nicht")));
        assert_eq!(stored(&app).await.len(), 1);
    }
);

both_dbs!(
    async fn the_twenty_first_filter_is_refused(backend: Backend) {
        let app = desk(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let actor = app.actor(AGENT).await;
        let all = staffel::tickets::queue::Filter { queue: "all".into(), ..Default::default() };
        for n in 1..=20 {
            staffel::saved_filters::save(app.store(), &actor, &format!("Filter {n}"), &all).await.expect("save");
        }
        let before = app.fingerprint().await;
        let refused = agent.post_form("/desk/filters", &[("name", "Noch einer"), ("query", "queue=new")]).await;
        assert_eq!(refused.status, Status::UnprocessableEntity);
        assert!(refused.body.contains(&html_message(Lang::De, "saved_filters.too_many", "20")), "{}", refused.body);
        assert!(refused.body.contains("value=\"Noch einer\""), "the name typed stays");
        assert_eq!(app.fingerprint().await, before, "nothing changed");
        // Another agent's count is their own.
        let mut other = app.login(OTHER, PASSWORD).await;
        let theirs = other.post_form("/desk/filters", &[("name", "Noch einer"), ("query", "queue=new")]).await;
        assert_eq!(theirs.status, Status::SeeOther);
    }
);

both_dbs!(
    async fn a_name_is_used_once_per_agent(backend: Backend) {
        let app = desk(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let fields = [("name", "Neu"), ("query", "queue=new")];
        assert_eq!(agent.post_form("/desk/filters", &fields).await.status, Status::SeeOther);
        let twice = agent.post_form("/desk/filters", &fields).await;
        assert_eq!(twice.status, Status::UnprocessableEntity);
        assert!(twice.body.contains(&html_message(Lang::De, "saved_filters.name_taken", "Neu")));
        assert_eq!(stored(&app).await.len(), 1);
    }
);
