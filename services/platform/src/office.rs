//! The company's offices: Hà Nội head office and the Hồ Chí Minh City and Đà Lạt offices.

use atq_proto::common::v1 as pb;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Office {
    #[serde(rename = "HN")]
    HaNoi,
    #[serde(rename = "HCM")]
    HoChiMinh,
    #[serde(rename = "DL")]
    DaLat,
}

pub const OFFICE_CODES: &str = "HN, HCM, DL";

impl Office {
    pub const ALL: [Office; 3] = [Office::HaNoi, Office::HoChiMinh, Office::DaLat];

    pub fn code(self) -> &'static str {
        match self {
            Office::HaNoi => "HN",
            Office::HoChiMinh => "HCM",
            Office::DaLat => "DL",
        }
    }

    pub fn parse(code: &str) -> Result<Office, String> {
        Office::ALL
            .into_iter()
            .find(|office| office.code().eq_ignore_ascii_case(code.trim()))
            .ok_or_else(|| format!("must be one of {OFFICE_CODES}"))
    }

    pub fn to_proto(self) -> pb::Office {
        match self {
            Office::HaNoi => pb::Office::Hn,
            Office::HoChiMinh => pb::Office::Hcm,
            Office::DaLat => pb::Office::Dl,
        }
    }

    /// Reads the wire enum; unspecified and unknown values are an error for the caller's field.
    pub fn from_proto(value: i32) -> Result<Office, String> {
        match pb::Office::try_from(value) {
            Ok(pb::Office::Hn) => Ok(Office::HaNoi),
            Ok(pb::Office::Hcm) => Ok(Office::HoChiMinh),
            Ok(pb::Office::Dl) => Ok(Office::DaLat),
            _ => Err(format!("must be one of {OFFICE_CODES}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_any_case_and_round_trip_through_the_wire() {
        assert_eq!(Office::parse("hcm"), Ok(Office::HoChiMinh));
        assert!(Office::parse("SG").is_err());
        for office in Office::ALL {
            assert_eq!(Office::from_proto(office.to_proto() as i32), Ok(office));
            assert_eq!(Office::parse(office.code()), Ok(office));
        }
        assert!(Office::from_proto(0).is_err());
    }
}
