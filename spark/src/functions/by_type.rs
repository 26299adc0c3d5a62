//! Spark functions whose one name covers several types: `concat` joins arrays as it joins
//! strings, `reverse` reverses an array's elements as a string's characters, and
//! `startswith`/`endswith`/`contains` compare bytes of binaries as characters of strings.
//! DataFusion has each under two names (or only the string one), so Spark's name chooses by
//! the arguments' types.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::error::Result;
use datafusion::logical_expr::type_coercion::functions::fields_with_udf;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

/// Which argument type picks the special function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Special {
    Array,
    Binary,
}

impl Special {
    fn matches(self, t: &DataType) -> bool {
        match self {
            Self::Array => matches!(
                t,
                DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _)
            ),
            Self::Binary => matches!(
                t,
                DataType::Binary | DataType::LargeBinary | DataType::BinaryView
            ),
        }
    }
}

/// One Spark name over a function for arrays (or binaries) and one for everything else.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ByType {
    name: &'static str,
    special: Special,
    for_special: Arc<ScalarUDF>,
    other: Arc<ScalarUDF>,
    signature: Signature,
}

impl ByType {
    /// The function for arguments of types `types`: the special one when any has its type.
    fn pick(&self, types: &[DataType]) -> &ScalarUDF {
        if types.iter().any(|t| self.special.matches(t)) {
            &self.for_special
        } else {
            &self.other
        }
    }
}

fn field_types(fields: &[FieldRef]) -> Vec<DataType> {
    fields.iter().map(|f| f.data_type().clone()).collect()
}

impl ScalarUDFImpl for ByType {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let fields: Vec<FieldRef> = arg_types
            .iter()
            .map(|t| Arc::new(Field::new("arg", t.clone(), true)))
            .collect();
        let picked = self.pick(arg_types);
        Ok(fields_with_udf(&fields, picked)?
            .iter()
            .map(|f| f.data_type().clone())
            .collect())
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.pick(arg_types).return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let types = field_types(args.arg_fields);
        self.pick(&types).return_field_from_args(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let types = field_types(&args.arg_fields);
        self.pick(&types).invoke_with_args(args)
    }
}

/// `concat`, `reverse`, `startswith`, `endswith` and `contains` under Spark's rules.
pub fn by_type_functions() -> Vec<Arc<ScalarUDF>> {
    let make = |name, special, for_special, other| {
        Arc::new(ScalarUDF::new_from_impl(ByType {
            name,
            special,
            for_special,
            other,
            signature: Signature::user_defined(Volatility::Immutable),
        }))
    };
    let bytes = |name: &'static str, test: super::rows::RowBody| {
        super::rows::RowFunction::new(
            name,
            &[super::rows::Arg::Binary, super::rows::Arg::Binary],
            2,
            DataType::Boolean,
            test,
        )
        .udf()
    };
    use datafusion::functions::string;
    vec![
        make(
            "concat",
            Special::Array,
            datafusion::functions_nested::concat::array_concat_udf(),
            datafusion_spark::function::string::concat(),
        ),
        make(
            "reverse",
            Special::Array,
            datafusion::functions_nested::reverse::array_reverse_udf(),
            datafusion::functions::unicode::reverse(),
        ),
        Arc::new(
            ScalarUDF::new_from_impl(ByType {
                name: "startswith",
                special: Special::Binary,
                for_special: bytes("startswith", |a| binary_test(a, |x, y| x.starts_with(y))),
                other: string::starts_with(),
                signature: Signature::user_defined(Volatility::Immutable),
            })
            .with_aliases(["starts_with"]),
        ),
        Arc::new(
            ScalarUDF::new_from_impl(ByType {
                name: "endswith",
                special: Special::Binary,
                for_special: bytes("endswith", |a| binary_test(a, |x, y| x.ends_with(y))),
                other: string::ends_with(),
                signature: Signature::user_defined(Volatility::Immutable),
            })
            .with_aliases(["ends_with"]),
        ),
        make(
            "contains",
            Special::Binary,
            bytes("contains", |a| {
                binary_test(a, |x, y| y.is_empty() || x.windows(y.len()).any(|w| w == y))
            }),
            string::contains(),
        ),
    ]
}

/// A test on the bytes of two binary arguments.
fn binary_test(
    args: &[datafusion::scalar::ScalarValue],
    test: fn(&[u8], &[u8]) -> bool,
) -> Result<datafusion::scalar::ScalarValue> {
    use super::rows::bytes;
    Ok(datafusion::scalar::ScalarValue::Boolean(
        bytes(&args[0])
            .zip(bytes(&args[1]))
            .map(|(x, y)| test(x, y)),
    ))
}
