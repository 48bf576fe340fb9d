//! Level 0: the Markdown FAQ/wiki. Articles come from the shipped `kb/` folder (imported
//! when changed) and from authors in Staffel; readers search, read and rate them.
pub mod api;
pub mod authoring;
pub mod authoring_routes;
pub mod draft_routes;
pub mod drafts;
pub mod frontmatter;
pub mod import;
pub mod render;
pub mod routes;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = routes::routes();
    routes.extend(authoring_routes::routes());
    routes.extend(draft_routes::routes());
    routes
}
