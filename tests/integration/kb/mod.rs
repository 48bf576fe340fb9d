//! The FAQ articles: importing files (broken ones rejected one by one, with file and line;
//! revisions; the real `staffel kb import`), sanitised rendering, the article page (views,
//! rating, related articles, next steps) and the shipped `kb/` folder.
mod import;
mod pages;
mod render;
