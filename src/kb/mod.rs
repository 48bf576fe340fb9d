//! Level 0: the Markdown FAQ/wiki. Articles come from the shipped `kb/` folder (imported
//! when changed) and from authors in Staffel; readers search, read and rate them.
pub mod authoring;
pub mod drafts;
pub mod frontmatter;
pub mod import;
pub mod render;
pub mod service;
pub mod votes;
