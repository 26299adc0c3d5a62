//! Spark functions whose one name covers strings and arrays: `concat` joins arrays as it joins
//! strings, `reverse` reverses an array's elements as a string's characters. DataFusion has
//! each under two names (and casts an array to text under the string one), so Spark's name
//! chooses by the arguments' types.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::error::Result;
use datafusion::logical_expr::type_coercion::functions::fields_with_udf;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

/// One Spark name over a function for arrays and one for everything else.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ArrayOrOther {
    name: &'static str,
    arrays: Arc<ScalarUDF>,
    other: Arc<ScalarUDF>,
    signature: Signature,
}

impl ArrayOrOther {
    /// The function for arguments of types `types`: the array one when any is an array.
    fn pick(&self, types: &[DataType]) -> &ScalarUDF {
        let array = types.iter().any(|t| {
            matches!(
                t,
                DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _)
            )
        });
        if array { &self.arrays } else { &self.other }
    }
}

fn field_types(fields: &[FieldRef]) -> Vec<DataType> {
    fields.iter().map(|f| f.data_type().clone()).collect()
}

impl ScalarUDFImpl for ArrayOrOther {
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

/// `concat` and `reverse` under Spark's rules.
pub fn array_or_string_functions() -> Vec<Arc<ScalarUDF>> {
    let make = |name, arrays, other| {
        Arc::new(ScalarUDF::new_from_impl(ArrayOrOther {
            name,
            arrays,
            other,
            signature: Signature::user_defined(Volatility::Immutable),
        }))
    };
    vec![
        make(
            "concat",
            datafusion::functions_nested::concat::array_concat_udf(),
            datafusion_spark::function::string::concat(),
        ),
        make(
            "reverse",
            datafusion::functions_nested::reverse::array_reverse_udf(),
            datafusion::functions::unicode::reverse(),
        ),
    ]
}
