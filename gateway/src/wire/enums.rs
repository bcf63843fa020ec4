//! Enumerations as their REST words. A proto enum's word is its wire name without the enum's
//! prefix, in lower case (`PRODUCT_CATEGORY_ELECTRONICS_TELECOM` <-> "electronics_telecom"); an
//! office is its code ("HN").

use atq_platform::Office;
use atq_proto::accountingwarehouse::v1::Condition;
use atq_proto::importplanning::v1::{BrandClass, ProductCategory};
use atq_proto::sales::v1::CustomerGroup;

/// Sent on the wire for a word that names no value, so the service reports the field as invalid
/// instead of treating it as absent.
pub(crate) const UNKNOWN: i32 = -1;

/// A proto enum read and written by its REST word. Prost generates the name functions on each
/// enum rather than on a trait, so this trait lends them to [`enum_text`] and [`enum_from_text`].
pub trait RestWord: Sized + Copy + PartialEq + Default + TryFrom<i32> + Into<i32> {
    fn wire_name(self) -> &'static str;
    fn from_wire_name(name: &str) -> Option<Self>;
}

macro_rules! rest_words {
    ($($enumeration:ty),* $(,)?) => {$(
        impl RestWord for $enumeration {
            fn wire_name(self) -> &'static str {
                self.as_str_name()
            }
            fn from_wire_name(name: &str) -> Option<Self> {
                Self::from_str_name(name)
            }
        }
    )*};
}

rest_words!(CustomerGroup, ProductCategory, BrandClass, Condition);

/// The prefix every name of the enum shares: its zero value is `<PREFIX>UNSPECIFIED`.
fn prefix<E: RestWord>() -> &'static str {
    E::default().wire_name().strip_suffix("UNSPECIFIED").unwrap_or_default()
}

/// The REST word of a wire value; empty when unspecified or unknown.
pub fn enum_text<E: RestWord>(value: i32) -> String {
    E::try_from(value)
        .ok()
        .filter(|known| *known != E::default())
        .map(|known| known.wire_name().trim_start_matches(prefix::<E>()).to_ascii_lowercase())
        .unwrap_or_default()
}

/// The wire value of a REST word: 0 for blank, [`UNKNOWN`] for a word that names no value.
pub fn enum_from_text<E: RestWord>(text: &str) -> i32 {
    match text.trim() {
        "" => 0,
        word => E::from_wire_name(&format!("{}{}", prefix::<E>(), word.to_ascii_uppercase()))
            .filter(|known| *known != E::default())
            .map_or(UNKNOWN, Into::into),
    }
}

pub fn office_from_text(text: &str) -> i32 {
    match text.trim() {
        "" => 0,
        code => Office::parse(code).map(|o| o.to_proto() as i32).unwrap_or(UNKNOWN),
    }
}

pub fn office_text(value: i32) -> String {
    Office::from_proto(value).map(|o| o.code().to_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_words_are_the_wire_names_without_their_prefix() {
        assert_eq!(enum_text::<ProductCategory>(ProductCategory::ElectronicsTelecom as i32), "electronics_telecom");
        assert_eq!(enum_text::<CustomerGroup>(CustomerGroup::Dealer as i32), "dealer");
        assert_eq!(enum_text::<Condition>(Condition::Damaged as i32), "damaged");
        assert_eq!(enum_text::<BrandClass>(0), "");
        assert_eq!(enum_text::<BrandClass>(99), "");
        assert_eq!(enum_from_text::<BrandClass>(" big "), BrandClass::Big as i32);
        assert_eq!(enum_from_text::<CustomerGroup>("project"), CustomerGroup::Project as i32);
        assert_eq!(enum_from_text::<Condition>(""), 0);
        assert_eq!(enum_from_text::<Condition>("unspecified"), UNKNOWN);
        assert_eq!(enum_from_text::<ProductCategory>("magic"), UNKNOWN);
    }
}
