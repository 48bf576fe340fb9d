//! The catalogue's messages as a page or the API shows them.
/// A catalogue message with `{arg}` filled in, HTML-escaped the way the templates print it.
pub fn html_message(lang: staffel::i18n::Lang, key: &str, arg: &str) -> String {
    assert!(staffel::i18n::has_key(key), "no catalogue key {key}");
    tera::escape_html(&staffel::i18n::tr_arg(lang, key, arg))
}

/// A catalogue message with `{arg}` filled in, as the JSON API sends it.
pub fn text_message(lang: staffel::i18n::Lang, key: &str, arg: &str) -> String {
    assert!(staffel::i18n::has_key(key), "no catalogue key {key}");
    staffel::i18n::tr_arg(lang, key, arg)
}
