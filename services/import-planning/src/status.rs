//! Lists of documents filtered by status (the statuses themselves are declared with
//! `atq_platform::text_status!`).

/// What a list of documents asks for: a status (or any, as "") and a page, checked together.
pub struct StatusPage {
    pub status: String,
    pub page: atq_platform::paging::Page,
}

impl StatusPage {
    /// `words` are the statuses the documents can be in.
    pub fn parse(
        status: &str,
        page: Option<&atq_proto::common::v1::PageRequest>,
        words: &[&str],
    ) -> atq_platform::error::Result<Self> {
        let mut v = atq_platform::validation::Violations::new();
        let status = atq_platform::validation::status_filter(&mut v, status, words);
        let page = atq_platform::paging::Page::parse(page, &mut v);
        v.finish()?;
        Ok(StatusPage { status, page })
    }
}
