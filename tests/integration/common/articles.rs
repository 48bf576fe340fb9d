//! FAQ article files for imports.
/// Writes an article file (with any folders) under `dir`.
pub fn write_article(dir: &std::path::Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folder");
    std::fs::write(path, text).expect("write article");
}

/// A complete article text: front matter lines (without the `---`) and a Markdown body.
pub fn article_text(front_matter: &str, body: &str) -> String {
    format!("---\n{}\n---\n\n{body}\n", front_matter.trim())
}

/// The article files under `dir`, read as `staffel kb import DIR` reads them.
pub fn article_files(dir: &std::path::Path) -> Vec<staffel::kb::import::SourceFile> {
    staffel::kb::import::read_dir(dir).expect("read article dir")
}

/// The article files built into the binary, as every start imports them.
pub fn shipped_article_files() -> Vec<staffel::kb::import::SourceFile> {
    staffel::kb::import::shipped(None).expect("the shipped articles")
}

/// An article file's front matter and Markdown, parsed as the import parses them.
pub fn parsed(file: &staffel::kb::import::SourceFile) -> staffel::kb::frontmatter::ArticleSource {
    staffel::kb::frontmatter::parse(&file.slug, &file.text).unwrap_or_else(|e| panic!("{}: {e}", file.origin))
}
