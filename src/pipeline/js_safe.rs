//! Whether a message's numbers survive the trip to the page unchanged.
//!
//! Messages cross the worker boundary as JavaScript values, where every number
//! is an f64: a whole number above 2^53 - 1 comes back as a neighbour (a seed
//! of 2^60 + 1 would silently become 2^60), and NaN or infinity become `null`
//! in JSON. [`check_js_safe`] walks any serialisable message and refuses the
//! first number that would not come back as itself, naming it by its path
//! ("params.seed", "reducers[1].min_dist"), so bad values are stopped where a
//! message is made or read instead of turning into a different map.

use std::fmt;

use serde::Serialize;
use serde::ser;

/// The largest whole number a JavaScript number holds exactly (2^53 - 1,
/// `Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A number of a message that the page would not get back unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsNumberError {
    /// Where it is in the message ("params.seed"); empty for a bare number.
    pub path: String,
    /// The number as written.
    pub value: String,
    pub finite: bool,
}

impl fmt::Display for JsNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.path.is_empty() {
            "the number"
        } else {
            &self.path
        };
        if self.finite {
            write!(
                f,
                "{what} is {}, past {MAX_SAFE_INTEGER} (2^53 - 1), the largest whole number the page holds exactly; use a smaller one",
                self.value
            )
        } else {
            write!(f, "{what} is {}; it must be a finite number", self.value)
        }
    }
}

impl std::error::Error for JsNumberError {}

impl ser::Error for JsNumberError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        JsNumberError {
            path: String::new(),
            value: msg.to_string(),
            finite: false,
        }
    }
}

/// Ok when every whole number of `message` is at most [`MAX_SAFE_INTEGER`] in
/// size and every float is finite.
pub fn check_js_safe<T: Serialize + ?Sized>(message: &T) -> Result<(), JsNumberError> {
    message.serialize(&mut Walk { path: Vec::new() })
}

/// The serialiser that only looks at numbers, keeping the path to them.
struct Walk {
    path: Vec<String>,
}

impl Walk {
    fn fail(&self, value: String, finite: bool) -> JsNumberError {
        let mut path = String::new();
        for part in &self.path {
            if !path.is_empty() && !part.starts_with('[') {
                path.push('.');
            }
            path.push_str(part);
        }
        JsNumberError {
            path,
            value,
            finite,
        }
    }

    fn whole(&self, magnitude: u128, value: impl fmt::Display) -> Result<(), JsNumberError> {
        if magnitude > u128::from(MAX_SAFE_INTEGER) {
            return Err(self.fail(value.to_string(), true));
        }
        Ok(())
    }

    fn float(&self, value: f64) -> Result<(), JsNumberError> {
        if !value.is_finite() {
            return Err(self.fail(value.to_string(), false));
        }
        Ok(())
    }

    fn inside<T: Serialize + ?Sized>(
        &mut self,
        part: String,
        value: &T,
    ) -> Result<(), JsNumberError> {
        self.path.push(part);
        value.serialize(&mut *self)?;
        self.path.pop();
        Ok(())
    }
}

/// A sequence's or tuple's items, numbered for the path.
struct Items<'a> {
    walk: &'a mut Walk,
    index: usize,
}

impl Items<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsNumberError> {
        let part = format!("[{}]", self.index);
        self.index += 1;
        self.walk.inside(part, value)
    }
}

impl<'a> ser::Serializer for &'a mut Walk {
    type Ok = ();
    type Error = JsNumberError;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Items<'a>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, _: bool) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), JsNumberError> {
        self.whole(u128::from(v.unsigned_abs()), v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), JsNumberError> {
        self.whole(v.unsigned_abs(), v)
    }
    fn serialize_u8(self, _: u8) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), JsNumberError> {
        self.whole(u128::from(v), v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), JsNumberError> {
        self.whole(v, v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), JsNumberError> {
        self.float(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), JsNumberError> {
        self.float(v)
    }
    fn serialize_char(self, _: char) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), JsNumberError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), JsNumberError> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), JsNumberError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), JsNumberError> {
        self.inside(variant.to_string(), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'a>, JsNumberError> {
        Ok(Items {
            walk: self,
            index: 0,
        })
    }
    fn serialize_tuple(self, _: usize) -> Result<Items<'a>, JsNumberError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items<'a>, JsNumberError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Items<'a>, JsNumberError> {
        self.serialize_seq(None)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, JsNumberError> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, JsNumberError> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, JsNumberError> {
        Ok(self)
    }
}

/// The four sequence-like traits all number their items the same way.
macro_rules! numbered_items {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Items<'_> {
            type Ok = ();
            type Error = JsNumberError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsNumberError> {
                self.item(value)
            }
            fn end(self) -> Result<(), JsNumberError> {
                Ok(())
            }
        }
    )*};
}

numbered_items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Walk {
    type Ok = ();
    type Error = JsNumberError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), JsNumberError> {
        // A key is written as a string in JSON and JavaScript alike; only its
        // text goes into the path.
        let text = match serde_json::to_value(key) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => String::new(),
        };
        self.path.push(text);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsNumberError> {
        value.serialize(&mut **self)?;
        self.path.pop();
        Ok(())
    }
    fn end(self) -> Result<(), JsNumberError> {
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Walk {
    type Ok = ();
    type Error = JsNumberError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), JsNumberError> {
        self.inside(name.to_string(), value)
    }
    fn end(self) -> Result<(), JsNumberError> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Walk {
    type Ok = ();
    type Error = JsNumberError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), JsNumberError> {
        self.inside(name.to_string(), value)
    }
    fn end(self) -> Result<(), JsNumberError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{ReducerParams, Request};

    #[test]
    fn numbers_past_2_53_or_not_finite_are_named_by_their_path() {
        let grid = |seed: u64, min_dist: f32| Request::Reduce {
            id: 1,
            params: ReducerParams::Umap {
                n_neighbors: 15,
                min_dist,
                seed,
            },
            rows: 10,
            cols: 2,
        };
        assert_eq!(check_js_safe(&grid(MAX_SAFE_INTEGER, 0.1)), Ok(()));
        assert_eq!(
            check_js_safe(&grid(MAX_SAFE_INTEGER + 1, 0.1))
                .unwrap_err()
                .to_string(),
            "params.seed is 9007199254740992, past 9007199254740991 (2^53 - 1), the largest whole number the page holds exactly; use a smaller one"
        );
        assert_eq!(
            check_js_safe(&grid(1, f32::NAN)).unwrap_err().to_string(),
            "params.min_dist is NaN; it must be a finite number"
        );
        let lists: (Vec<i64>, Vec<(u8, f64)>) = (vec![1, -(1 << 60)], vec![(1, f64::INFINITY)]);
        assert_eq!(check_js_safe(&lists).unwrap_err().path, "[0][1]");
        let lists: (Vec<i64>, Vec<(u8, f64)>) = (vec![1], vec![(1, 2.0), (1, -f64::INFINITY)]);
        assert_eq!(check_js_safe(&lists).unwrap_err().path, "[1][1][1]");
        let map: std::collections::BTreeMap<&str, u128> = [("k", u128::MAX)].into();
        assert_eq!(check_js_safe(&map).unwrap_err().path, "k");
        assert_eq!(check_js_safe(&(u64::MAX as f64)), Ok(()));
    }

    #[test]
    fn floats_of_a_message_read_back_as_the_same_bits() {
        // Found by fuzz/protocol: serde_json's default parser is not
        // correctly rounded (1 ulp off here); its float_roundtrip feature is.
        for fraction in [
            9.135064688933482e-41,
            0.1 + 0.2,
            f64::MIN_POSITIVE / 3.0,
            1.0 - f64::EPSILON,
        ] {
            let message = crate::pipeline::Response::Progress {
                id: 1,
                stage: Some(crate::reduce::Stage::OptimizeLayout),
                fraction,
            };
            let json = serde_json::to_string(&message).unwrap();
            let back: crate::pipeline::Response = serde_json::from_str(&json).unwrap();
            assert_eq!(back, message, "{json}");
        }
    }
}
