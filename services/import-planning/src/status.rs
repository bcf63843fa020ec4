//! Statuses kept as words in the database and on the wire, typed in between: each is an enum
//! with the word it is stored as, parsed back where rows are read.

/// An enum of statuses with their stored words: `as_str`, `parse`, `stored` (a row's word, where
/// an unknown one is a fault of the data, not of the caller) and `WORDS` for list filters.
macro_rules! status_enum {
    (
        $(#[$meta:meta])* $name:ident, $what:literal {
            $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every status's word, in order: what a list filter accepts.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            pub fn parse(word: &str) -> Option<Self> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The status of a stored row.
            pub fn stored(word: &str) -> atq_platform::error::Result<Self> {
                Self::parse(word).ok_or_else(|| {
                    atq_platform::Error::internal(anyhow::anyhow!("stored {} has unknown status {word:?}", $what))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use status_enum;

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
