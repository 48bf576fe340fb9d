//! The demo's three weeks of service desk: tickets in every status and priority, teachers'
//! reports, forwards to providers, an FAQ draft, ratings, missed searches and closed chats.
//! Every step goes through the service function a person's click would call, so each row
//! has its events, audit records and mails; `history` then moves the times back.
use chrono::Duration;

use super::history;
use crate::app::App;
use crate::attachments::store::Staged;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::forwards::service::ForwardInput;
use crate::ladder::{self, tickets::Reply};
use crate::reports::service::{self as reports, Answer, Escalation, NewReport, Triage};
use crate::tickets::{opening::NewTicket, TicketNumber};

const GYM: &str = "admin@gym-mitte.demo";
const GS: &str = "admin@gs-nordpark.demo";
const TOM: &str = "agent1@desk.demo";
const EVA: &str = "agent2@desk.demo";
const LEAD: &str = "lead@desk.demo";

/// One thing that happens to a ticket, in order.
enum Step {
    /// An agent takes the ticket.
    Take(&'static str),
    /// An agent replies to the school.
    Reply(&'static str, &'static str),
    /// An agent writes an internal note.
    Note(&'static str, &'static str),
    /// An agent asks the school; the ticket waits.
    Ask(&'static str, &'static str),
    /// The school admin writes on the ticket.
    School(&'static str),
    /// An agent hands the ticket to a provider.
    Forward(&'static str, &'static str, &'static str),
    /// The provider acknowledges with their reference.
    Acknowledge(&'static str),
    /// The provider marks the problem solved.
    ProviderSolves(&'static str),
    /// An agent resolves with a solution.
    Resolve(&'static str, &'static str),
    /// Closed: by the school admin (confirming), or by an agent.
    Close(&'static str),
}

use Step::*;

/// (school admin, title, description, service, priority, hours ago, steps)
type Story = (&'static str, &'static str, &'static str, &'static str, &'static str, i64, &'static [Step]);

/// Oldest first, so the ticket numbers grow with time as they would.
const TICKETS: &[Story] = &[
    (GYM, "Lernplattform-App stürzt auf iPads ab", "Seit dem letzten Update schließt sich die App der Lernplattform auf allen iPads der Klasse 8a direkt nach dem Start.", "lms", "P3", 480, &[
        Forward(TOM, "lernwolke", "Bitte prüfen: Absturz der iOS-App seit dem Update, betrifft alle iPads einer Klasse."),
        Acknowledge("LW-2026-0712"),
        ProviderSolves("Fehler in Version 4.2 behoben; Version 4.2.1 ist im App Store verfügbar."),
        Close(TOM),
    ]),
    (GYM, "Beamer in der Aula flackert", "Der Beamer in der Aula flackert nach etwa zehn Minuten und geht dann aus.", "presentation", "P3", 400, &[
        Reply(TOM, "Guten Tag,\n\nwir vermuten eine verstopfte Lüftung. Wir schicken **morgen früh** jemanden vorbei.\n\nViele Grüße\nIhr Service-Desk"),
        Resolve(TOM, "Der Luftfilter war verstopft und ist gereinigt; der Beamer läuft wieder ohne Flackern."),
        Close(GYM),
    ]),
    (GYM, "Datenschutz: Einwilligung für Fotos auf der Website", "Welche Vorlage sollen wir für die Einwilligung der Eltern zu Fotos auf der Schulwebsite verwenden?", "privacy", "P4", 350, &[
        Reply(EVA, "Guten Tag,\n\ndie aktuelle Vorlage finden Sie im FAQ unter *Datenschutz*. Wir schicken sie Ihnen gern auch als Datei."),
        Resolve(EVA, "Die Vorlage »Einwilligung Fotos« des Landes ist die richtige; sie liegt im FAQ unter Datenschutz."),
        Close(GYM),
    ]),
    (GS, "Passwort-Reset für die ganze Klasse 3b", "Die Kinder der 3b haben nach den Ferien alle ihre Passwörter vergessen.", "accounts", "P2", 300, &[
        Resolve(EVA, "Alle 24 Konten der 3b sind zurückgesetzt; die Startpasswörter liegen als Liste im Sekretariat."),
        Close(GS),
    ]),
    (GS, "WLAN-Gastzugang für den Elternabend", "Für den Elternabend am Donnerstag brauchen wir einen Gastzugang für etwa 40 Geräte.", "wifi", "P4", 250, &[
        Reply(TOM, "Guten Tag,\n\nder Gastzugang »Nordpark-Gast« ist für Donnerstag von 17 bis 22 Uhr freigeschaltet."),
        Resolve(TOM, "Gastzugang für Donnerstag 17–22 Uhr eingerichtet; das Passwort steht auf dem Aushang im Foyer."),
        Close(TOM),
    ]),
    (GYM, "Physik-Software lässt sich nicht installieren", "Die Simulationssoftware für den Physikraum bricht bei der Installation mit einer Fehlermeldung ab.", "software", "P4", 200, &[
        Take(EVA),
        Note(EVA, "Lizenzschlüssel beim Schulträger angefragt; vorher lohnt keine Neuinstallation."),
    ]),
    (GS, "Laptop-Wagen: zwei Geräte starten nicht", "Zwei Laptops aus dem Wagen im zweiten Stock bleiben beim Start schwarz.", "devices", "P2", 170, &[
        Take(TOM),
        Note(TOM, "Akkus vermutlich tiefentladen; Ersatzgeräte sind unterwegs."),
        Resolve(TOM, "Beide Akkus waren tiefentladen und sind getauscht; die Geräte starten wieder."),
        Close(GS),
    ]),
    (GYM, "Access Point in Raum 210 blinkt rot", "Der Access Point an der Decke von Raum 210 blinkt rot, im Raum gibt es kein WLAN.", "wifi", "P2", 150, &[
        Forward(TOM, "netzwerk-nord", "Access Point Raum 210 ohne Verbindung, Neustart hat nicht geholfen. Bitte vor Ort prüfen."),
        Acknowledge("NN-4711"),
        ProviderSolves("Netzteil des Access Points getauscht, WLAN in Raum 210 wieder verfügbar."),
    ]),
    (GS, "Tablets laden im Koffer nicht mehr", "Der Ladekoffer der Klasse 4a lädt seit Montag keine Tablets mehr, die Lampe bleibt aus.", "devices", "P3", 120, &[
        Take(EVA),
        Note(EVA, "Sicherung des Koffers prüfen lassen, Hersteller-Garantie läuft noch bis Juni."),
        Reply(EVA, "Guten Tag,\n\nkönnen Sie bitte prüfen, ob der Koffer an einer anderen Steckdose lädt?"),
        School("Auch an einer anderen Steckdose bleibt die Lampe aus. Der Koffer ist jetzt im Sekretariat."),
    ]),
    (GS, "Cloud-Speicher: Freigaben sind verschwunden", "Die Freigaben des Kollegiums im Cloud-Speicher sind seit heute Morgen weg.", "cloud", "P2", 100, &[
        Forward(EVA, "lernwolke", "Alle Freigaben des Kollegiums verschwunden, bitte dringend prüfen."),
        Acknowledge("LW-2026-0815"),
    ]),
    (GYM, "E-Mail-Postfach der Schulleitung ist voll", "Die Schulleitung bekommt keine Mails mehr, das Postfach meldet »voll«.", "email", "P3", 96, &[
        Reply(TOM, "Guten Tag,\n\nwir haben das Postfach vorübergehend auf 10 GB erweitert. Bitte löschen Sie alte Anhänge."),
        School("Danke! Können Sie uns sagen, wie wir ein Archiv einrichten?"),
    ]),
    (GYM, "Lernplattform: Kursliste ist leer", "Beim Anmelden sehen die Lehrkräfte der Oberstufe keine Kurse mehr.", "lms", "P2", 75, &[
        Ask(EVA, "Guten Tag,\n\nbetrifft das alle Lehrkräfte der Oberstufe oder nur einzelne? Bitte nennen Sie uns ein Beispielkonto."),
        School("Es betrifft alle, zum Beispiel das Konto von Herrn Lehmann."),
    ]),
    (GYM, "Passwort für die Schulverwaltung vergessen", "Frau Berger aus dem Sekretariat kommt nicht mehr in die Schulverwaltung.", "accounts", "P2", 70, &[
        Reply(TOM, "Guten Tag,\n\nwir setzen das Passwort zurück, sobald Frau Berger uns telefonisch bestätigt hat."),
    ]),
    (GS, "Drucker im Sekretariat meldet Papierstau", "Der Drucker im Sekretariat meldet dauernd Papierstau, obwohl kein Papier klemmt.", "printing", "P3", 60, &[
        Reply(TOM, "Guten Tag,\n\nbitte richten Sie den Drucker so neu ein:\n\n1. Drucker entfernen.\n2. Rechner neu starten.\n3. Drucker wieder anlegen."),
        Resolve(TOM, "Der Sensor für den Papiereinzug war verschmutzt und ist gereinigt."),
    ]),
    (GS, "Drucker im Lehrerzimmer druckt leere Seiten", "Seit gestern kommen aus dem Drucker im Lehrerzimmer nur leere Seiten.", "printing", "P4", 50, &[]),
    (GS, "Dokumentenkamera in Raum 12 wird nicht erkannt", "Die Dokumentenkamera wird vom Rechner in Raum 12 nicht mehr erkannt.", "presentation", "P3", 48, &[
        Ask(TOM, "Guten Tag,\n\nwelches Modell ist es, und an welchem Anschluss des Rechners steckt sie?"),
    ]),
    (GYM, "Schülerkonto gesperrt", "Das Konto eines Schülers der 9c ist nach mehreren Fehlversuchen gesperrt.", "accounts", "P3", 40, &[
        Resolve(EVA, "Das Konto ist entsperrt; der Schüler setzt beim nächsten Anmelden ein neues Passwort."),
    ]),
    (GYM, "Beamer in Raum 104 zeigt kein Bild", "Der Beamer in Raum 104 geht an, zeigt aber »kein Signal«, egal welches Kabel.", "presentation", "P2", 30, &[]),
    (GS, "Videokonferenz: kein Ton beim Elternabend", "Beim digitalen Elternabend hörten die Eltern die Lehrkraft nicht.", "video", "P2", 26, &[
        Take(TOM),
        Reply(TOM, "Guten Tag,\n\nwir schauen uns die Einstellungen des Konferenzraums an und melden uns bis morgen."),
    ]),
    (GYM, "Internet in der ganzen Schule sehr langsam", "Seit der zweiten Stunde ist das Internet im ganzen Gebäude kaum nutzbar.", "network", "P1", 20, &[
        Forward(TOM, "netzwerk-nord", "Schulweit sehr langsames Internet seit heute Morgen, bitte Leitung prüfen."),
    ]),
    (GS, "Interaktive Tafel reagiert nicht auf den Stift", "Die Tafel in der 2b reagiert nicht mehr auf den Stift, nur noch auf den Finger.", "presentation", "P1", 10, &[
        Take(TOM),
        Note(TOM, "Kalibrierung aus der Ferne versucht, ohne Erfolg."),
    ]),
    (GS, "WLAN im Neubau fällt ständig aus", "Im Neubau bricht das WLAN alle paar Minuten ab, Tests in der 4. Klasse sind so nicht möglich.", "wifi", "P1", 5, &[]),
    (GYM, "Neue Lehrkraft braucht Zugang zur Lernplattform", "Frau Kaya beginnt am Montag und braucht ein Konto für die Lernplattform.", "lms", "P3", 2, &[]),
];

/// (teacher, affected, since, how many, description, hours ago, what the school admin did)
enum Handling {
    Nothing,
    Answer(&'static str),
    Escalate { scope: &'static str, fault: &'static str, service: &'static str, priority: &'static str },
}

type TeacherReport = (&'static str, &'static str, &'static str, &'static str, &'static str, i64, Handling);

const REPORTS: &[TeacherReport] = &[
    (
        "lehrer@gym-mitte.demo",
        "Lautsprecher in Raum 015",
        "seit gestern",
        "nur ich",
        "Die Lautsprecher am Lehrerpult sind sehr leise, auch bei voller Lautstärke.",
        52,
        Handling::Answer(
            "Am Verstärker unter dem Pult war die Lautstärke heruntergedreht; ich habe sie wieder hochgestellt.",
        ),
    ),
    (
        "lehrer@gs-nordpark.demo",
        "Notebook im Computerraum startet nicht",
        "heute früh",
        "eine Klasse",
        "Im Computerraum startet das Notebook am Platz 7 nicht, es piept dreimal.",
        14,
        Handling::Escalate { scope: "local", fault: "hardware", service: "devices", priority: "P3" },
    ),
    (
        "lehrer@gym-mitte.demo",
        "Vertretungsplan-App zeigt alte Daten",
        "seit Montag",
        "mehrere Kolleginnen",
        "In der App erscheint noch der Vertretungsplan von letzter Woche.",
        3,
        Handling::Nothing,
    ),
];

/// What the story made, for the summary line.
#[derive(Debug, Default)]
pub struct Told {
    pub tickets: usize,
    pub reports: usize,
    pub chats: usize,
}

async fn actor(app: &App, email: &str) -> AppResult<Actor> {
    let user = crate::accounts::service::find_by_email(app.db.read(), email).await?.ok_or(AppError::NotFound)?;
    crate::auth::session::load_actor(&app.db, user.id).await?.ok_or(AppError::NotFound)
}

fn reply(body: &str, internal: bool) -> Reply {
    Reply { body: body.to_string(), internal, version: None }
}

/// The provider opens the link they were mailed (its token made again from its salt, as
/// every later mail about the forward does).
async fn provider_access(app: &App, number: TicketNumber) -> AppResult<crate::forwards::service::Access> {
    use entities::{forward, forward_link};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let fwd = forward::Entity::find()
        .filter(forward::Column::TicketId.eq(number.id()))
        .order_by_desc(forward::Column::Id)
        .one(app.db.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let link = forward_link::Entity::find()
        .filter(forward_link::Column::ForwardId.eq(fwd.id))
        .order_by_asc(forward_link::Column::Id)
        .one(app.db.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let salt = link.token_salt.ok_or(AppError::NotFound)?;
    let token = crate::crypto::derived_token(&app.settings.provider_link_key, &salt);
    crate::forwards::service::open(app.db.read(), &token).await
}

async fn step(app: &App, school: &Actor, number: TicketNumber, step: &Step) -> AppResult<()> {
    use ladder::tickets as desk;
    match step {
        Take(agent) => drop(desk::assign(app, &actor(app, agent).await?, number, "me", None).await?),
        Reply(agent, body) => {
            drop(desk::comment(app, &actor(app, agent).await?, number, &reply(body, false), Staged::none()).await?)
        }
        Note(agent, body) => {
            drop(desk::comment(app, &actor(app, agent).await?, number, &reply(body, true), Staged::none()).await?)
        }
        Ask(agent, body) => {
            drop(desk::ask_school(app, &actor(app, agent).await?, number, &reply(body, false), Staged::none()).await?)
        }
        School(body) => drop(desk::comment(app, school, number, &reply(body, false), Staged::none()).await?),
        Forward(agent, provider, message) => {
            let input = ForwardInput {
                provider: provider.to_string(),
                priority: String::new(),
                message: message.to_string(),
                share_description: true,
                ..Default::default()
            };
            let current = crate::tickets::find(app.db.read(), school, number.id()).await?;
            let input = ForwardInput { priority: current.priority.to_string(), ..input };
            drop(ladder::forwarding::forward(app, &actor(app, agent).await?, number, &input, None).await?)
        }
        Acknowledge(reference) => {
            drop(ladder::provider::acknowledge(app, provider_access(app, number).await?, reference).await?)
        }
        ProviderSolves(solution) => {
            drop(ladder::provider::resolve(app, provider_access(app, number).await?, solution).await?)
        }
        Resolve(agent, solution) => drop(desk::resolve(app, &actor(app, agent).await?, number, solution, None).await?),
        Close(who) if *who == GYM || *who == GS => drop(desk::close(app, school, number, None).await?),
        Close(agent) => drop(desk::close(app, &actor(app, agent).await?, number, None).await?),
    }
    Ok(())
}

async fn tickets(app: &App) -> AppResult<()> {
    for (admin, title, description, service, priority, hours, steps) in TICKETS {
        let school = actor(app, admin).await?;
        let input = NewTicket {
            title: title.to_string(),
            description: description.to_string(),
            service: service.to_string(),
            priority: priority.to_string(),
            ..Default::default()
        };
        let opened = crate::tickets::opening::open(app, &school, &input, Staged::none()).await?;
        let number = TicketNumber(opened.ticket.id);
        for s in steps.iter() {
            step(app, &school, number, s).await?;
        }
        history::backdate_ticket(&app.db, opened.ticket.id, Duration::hours(*hours)).await?;
    }
    Ok(())
}

async fn teachers_reports(app: &App) -> AppResult<usize> {
    for (teacher, affected, since, how_many, description, hours, handling) in REPORTS {
        let teacher = actor(app, teacher).await?;
        let input = NewReport {
            affected: affected.to_string(),
            since: since.to_string(),
            how_many: how_many.to_string(),
            description: description.to_string(),
        };
        let filed = reports::file(app, &teacher, &input, Staged::none()).await?;
        let admin = if teacher.school_slug.as_deref() == Some("gym-mitte") { GYM } else { GS };
        let admin = actor(app, admin).await?;
        let age = Duration::hours(*hours);
        match handling {
            Handling::Nothing => {}
            Handling::Answer(text) => {
                let answer = Answer { triage: Triage::default(), answer: text.to_string(), version: None };
                reports::answer(app, &admin, filed.id, &answer, Staged::none()).await?;
            }
            Handling::Escalate { scope, fault, service, priority } => {
                let triage =
                    Triage { scope: scope.to_string(), fault_type: fault.to_string(), service: service.to_string() };
                let escalation = Escalation { triage, priority: priority.to_string(), ..Default::default() };
                let ticket = reports::escalate(app, &admin, filed.id, &escalation, Staged::none()).await?;
                let number = TicketNumber(ticket.id);
                step(app, &admin, number, &Take(EVA)).await?;
                let body =
                    "Guten Tag,\n\ndrei Pieptöne deuten auf den Arbeitsspeicher. Wir bringen morgen ein Ersatzgerät.";
                step(app, &admin, number, &Reply(EVA, body)).await?;
                history::backdate_ticket(&app.db, ticket.id, age - Duration::hours(1)).await?;
            }
        }
        history::backdate_report(&app.db, filed.id, age).await?;
    }
    Ok(REPORTS.len())
}

/// The FAQ's side: a draft from a solved ticket, searches that found nothing, ratings.
async fn faq(app: &App) -> AppResult<()> {
    use entities::{kb_article, ArticleStatus};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let lead = actor(app, LEAD).await?;
    let solved = entities::ticket::Entity::find()
        .filter(entities::ticket::Column::Title.eq("Drucker im Sekretariat meldet Papierstau"))
        .one(app.db.read())
        .await?
        .ok_or(AppError::NotFound)?;
    crate::kb::drafts::from_ticket(&app.db, &app.search, &lead, solved.id).await?;
    let pupil = actor(app, "schueler@gym-mitte.demo").await?;
    let teacher = actor(app, "lehrer@gs-nordpark.demo").await?;
    let searched = [
        (&pupil, "Mensakarte aufladen"),
        (&teacher, "Zeugnisprogramm Export"),
        (&teacher, "Schließfachschlüssel verloren"),
        (&pupil, "Kopierkarte Guthaben"),
        (&pupil, "Mensakarte aufladen"),
    ];
    for (reader, words) in searched {
        crate::kb::service::search(
            &app.misses,
            &app.search,
            Some(reader),
            words,
            10,
            None,
            crate::kb::service::Purpose::Results,
        )
        .await?;
    }
    crate::kb::service::flush_misses(&app.db, &app.misses).await?;
    let articles = kb_article::Entity::find()
        .filter(kb_article::Column::Status.eq(ArticleStatus::Published))
        .order_by_asc(kb_article::Column::Id)
        .limit(3)
        .all(app.db.read())
        .await?;
    use crate::kb::votes::{rate, Voter};
    for (n, article) in articles.iter().enumerate() {
        rate(&app.db, article.id, Voter::User(pupil.id), n != 1).await?;
        rate(&app.db, article.id, Voter::User(teacher.id), true).await?;
        rate(&app.db, article.id, Voter::Browser(&format!("demo-reader-{n}")), n == 0).await?;
    }
    Ok(())
}

/// (school admin, first line, then (from the desk?, line)…, hours ago)
type DemoChat = (&'static str, &'static str, &'static [(bool, &'static str)], i64);

/// Two chats the desk had with schools, closed: a school admin asks, an agent takes it.
async fn chats(app: &App) -> AppResult<usize> {
    use crate::chat::{lifecycle, messages, presence};
    const CHATS: &[DemoChat] = &[
        (
            GYM,
            "Guten Morgen, ist die Lernplattform gerade gestört?",
            &[
                (true, "Guten Morgen! Ja, der Anbieter arbeitet daran, in etwa einer Stunde soll sie wieder laufen."),
                (false, "Danke, dann verschieben wir den Test."),
                (true, "Gern. Wir melden uns, sobald sie wieder läuft."),
            ],
            200,
        ),
        (
            GS,
            "Wie bekomme ich ein neues Passwort für ein Schülerkonto?",
            &[
                (true, "Als Schuladmin können Sie es unter »Konten« selbst zurücksetzen."),
                (false, "Gefunden, vielen Dank!"),
            ],
            30,
        ),
    ];
    let agent = actor(app, TOM).await?;
    let session = "demo-story";
    presence::heartbeat(app, &agent, session, true).await?;
    let mut made = 0;
    for (admin, opening, lines, hours) in CHATS {
        let school = actor(app, admin).await?;
        let request = lifecycle::Request { message: opening.to_string(), ..Default::default() };
        let lifecycle::Asked::Waiting(chat) = lifecycle::ask(app, &school, &request).await? else { continue };
        lifecycle::accept(app, &agent, chat.id).await?;
        for (from_desk, line) in lines.iter() {
            let who = if *from_desk { &agent } else { &school };
            messages::post(app, who, chat.id, line, None).await?;
        }
        lifecycle::close(app, &agent, chat.id).await?;
        history::backdate_chat(&app.db, chat.id, Duration::hours(*hours)).await?;
        made += 1;
    }
    presence::leave(app, &agent, session).await?;
    Ok(made)
}

pub async fn tell(app: &App) -> AppResult<Told> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    tickets(app).await?;
    let reports = teachers_reports(app).await?;
    faq(app).await?;
    let chats = chats(app).await?;
    // Counted, not summed: an escalated report opened a ticket too.
    let tickets = entities::ticket::Entity::find().count(app.db.read()).await? as usize;
    Ok(Told { tickets, reports, chats })
}
