//! The authoring pages: new article, edit with preview, history with diff and restore.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route};
use sea_orm::EntityTrait;

use crate::app::{App, Author};
use crate::auth::csrf::CsrfForm;
use crate::catalogue::services;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::kb::authoring::{self, ArticleInput};
use crate::kb::render;
use crate::search::sync::split_list;
use crate::web::flash;
use crate::web::page::Page;

#[derive(Debug, FromForm)]
pub struct ArticleForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub title: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = Vec::new())]
    pub audience: Vec<String>,
    #[field(default = String::new())]
    pub service: String,
    #[field(default = String::new())]
    pub tags: String,
    #[field(default = String::new())]
    pub scope: String,
    #[field(default = String::new())]
    pub status: String,
    #[field(default = String::new())]
    pub version: String,
    /// "preview" shows the rendered article without saving.
    #[field(default = String::new())]
    pub action: String,
}

#[derive(Debug, FromForm)]
pub struct RestoreForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = 0)]
    pub version: i32,
    #[field(default = 0)]
    pub current: i32,
}
csrf_form!(ArticleForm, RestoreForm);

impl ArticleForm {
    fn input(&self) -> ArticleInput {
        ArticleInput {
            title: self.title.clone(),
            body: self.body.clone(),
            audience: self.audience.clone(),
            service: self.service.clone(),
            tags: self.tags.clone(),
            scope: self.scope.clone(),
            status: self.status.clone(),
            version: self.version.trim().parse().ok(),
        }
    }
}

async fn form_page(app: &App, author: &Author, slug: Option<&str>, input: &ArticleInput) -> AppResult<Page> {
    let drafts = match slug {
        None => crate::kb::service::drafts(app.db.read(), &author.0).await?,
        Some(_) => Vec::new(),
    };
    Ok(Page::new("kb/edit.html")
        .with("drafts", drafts)
        .with("slug", slug)
        .with("input", input)
        .with("services", services::list(app.db.read(), false).await?)
        .with("audiences", crate::kb::frontmatter::AUDIENCES)
        .with("author_role", author.0.role.as_str()))
}

/// The form for a new article; `title` fills it in (a missed search's "write an article").
#[get("/kb/new?<title>")]
async fn new_form(author: Author, title: Option<&str>, app: &App) -> AppResult<Page> {
    let scope = if author.0.role.is_desk() { "global" } else { "school" };
    let input = ArticleInput {
        // Only a suggestion: the form checks it like anything typed when it is saved.
        title: title
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(crate::kb::frontmatter::TITLE_MAX)
            .collect(),
        // Everyone who reads the FAQ, until the author narrows it: an article nobody may
        // read helps nobody.
        audience: ["pupil", "teacher", "school_admin"].map(String::from).to_vec(),
        scope: scope.into(),
        status: "draft".into(),
        ..Default::default()
    };
    form_page(app, &author, None, &input).await
}

#[post("/kb/new", data = "<form>")]
async fn create(
    author: Author,
    form: CsrfForm<ArticleForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let input = form.input();
    if form.action == "preview" {
        let preview = render::render(&input.body);
        return Ok(Err(form_page(app, &author, None, &input).await?.with("preview", preview)));
    }
    match authoring::create(&app.db, &app.search, &author.0, &input).await {
        Ok(article) => {
            flash::success(jar, if article.proposed { "kb.proposed" } else { "kb.saved" });
            Ok(Ok(Redirect::to(format!("/kb/{}", article.slug))))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(form_page(app, &author, None, &input).await?.with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

#[get("/kb/<slug>/edit")]
async fn edit_form(author: Author, slug: &str, app: &App) -> AppResult<Page> {
    let article = super::service::find_readable(app.db.read(), Some(&author.0), slug).await?;
    if !authoring::can_edit(&author.0, &article) {
        return Err(AppError::Forbidden);
    }
    let service = match article.service_id {
        Some(id) => {
            entities::service::Entity::find_by_id(id).one(app.db.read()).await?.map(|s| s.slug).unwrap_or_default()
        }
        None => String::new(),
    };
    let input = ArticleInput {
        title: article.title.clone(),
        body: article.body.clone(),
        audience: split_list(&article.audience),
        service,
        tags: split_list(&article.tags).join(", "),
        scope: if article.school_id.is_some() { "school".into() } else { "global".into() },
        status: article.status.to_string(),
        version: Some(article.version),
    };
    form_page(app, &author, Some(slug), &input).await
}

#[post("/kb/<slug>/edit", data = "<form>")]
async fn update(
    author: Author,
    slug: &str,
    form: CsrfForm<ArticleForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let input = form.input();
    if form.action == "preview" {
        super::service::find_readable(app.db.read(), Some(&author.0), slug).await?;
        let preview = render::render(&input.body);
        return Ok(Err(form_page(app, &author, Some(slug), &input).await?.with("preview", preview)));
    }
    match authoring::update(&app.db, &app.search, &author.0, slug, &input).await {
        Ok(article) => {
            flash::success(jar, "kb.saved");
            Ok(Ok(Redirect::to(format!("/kb/{}", article.slug))))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            Ok(Err(form_page(app, &author, Some(slug), &input).await?.with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

#[get("/kb/<slug>/history?<v>")]
async fn history(author: Author, slug: &str, v: Option<i32>, app: &App) -> AppResult<Page> {
    let (article, revisions) = authoring::revisions(app.db.read(), &author.0, slug).await?;
    let shown = v.unwrap_or(article.version);
    let diff = revisions.iter().position(|r| r.version == shown).map(|i| {
        let previous = revisions.get(i + 1).map(|r| r.body.as_str()).unwrap_or("");
        authoring::diff(previous, &revisions[i].body)
    });
    let list: Vec<authoring::RevisionView> = revisions
        .into_iter()
        .map(|r| authoring::RevisionView {
            version: r.version,
            title: r.title,
            author: r.author_label,
            created_at: r.created_at,
        })
        .collect();
    Ok(Page::new("kb/history.html")
        .with(
            "article",
            serde_json::json!({ "slug": article.slug, "title": article.title, "version": article.version }),
        )
        .with("revisions", list)
        .with("shown", shown)
        .with("diff", diff))
}

#[post("/kb/<slug>/restore", data = "<form>")]
async fn restore(
    author: Author,
    slug: &str,
    form: CsrfForm<RestoreForm>,
    app: &App,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    authoring::restore(&app.db, &app.search, &author.0, slug, form.version, Some(form.current)).await?;
    flash::success_with(jar, "kb.restored", &form.version.to_string());
    Ok(Redirect::to(format!("/kb/{slug}")))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![new_form, create, edit_form, update, history, restore]
}
