//! The physical-plan extension codec for Ember's own operators.
//!
//! DataFusion's operators travel as datafusion-proto messages; Ember's shuffle writer and reader
//! travel as [`EmberPlanNode`]s inside datafusion-proto's extension slot. The codec lives next to
//! the operators it builds (the proto crate only declares the messages).

use std::any::{Any, TypeId};
use std::sync::Arc;

use bytes::Bytes;
use datafusion::arrow::datatypes::Schema;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF, WindowUDF};
use datafusion::physical_expr::expressions::Literal;
use datafusion::physical_expr::{AcrossPartitions, ConstExpr, EquivalenceProperties};
use datafusion::physical_plan::{ExecutionPlan, Partitioning};
use datafusion_proto::bytes::{
    physical_plan_from_bytes_with_extension_codec, physical_plan_to_bytes_with_extension_codec,
};
use datafusion_proto::physical_plan::from_proto::{
    parse_physical_exprs, parse_physical_sort_exprs, parse_protobuf_partitioning,
};
use datafusion_proto::physical_plan::to_proto::{
    serialize_partitioning, serialize_physical_exprs, serialize_physical_sort_exprs,
};
use datafusion_proto::physical_plan::{
    PhysicalExtensionCodec, PhysicalPlanDecodeContext, PhysicalProtoConverterExtension,
};
use datafusion_proto::protobuf;
use ember_proto::{
    EmberPlanNode, ReaderConstant, ShuffleReaderNode, ShuffleWriterNode, WriteFilesNode,
    ember_plan_node,
};
use ember_spark::functions::sum::SparkSum;
use ember_spark::functions::window_flags::FlaggedWindow;
use prost::Message;

use crate::shuffle::{ShuffleReaderExec, ShuffleWriterExec};
use crate::write::{WriteFilesExec, WriteSpec};

/// Marks a Spark implementation in a plan's function definition bytes.
const SPARK_FUNCTION: &[u8] = b"spark";

/// Marks a seeded random function, which each task decodes with a generator of its own.
const RANDOM_FUNCTION: &[u8] = b"random";

fn impl_type(udf: &ScalarUDF) -> TypeId {
    let any: &dyn Any = udf.inner().as_ref();
    any.type_id()
}

/// Encodes and decodes [`ShuffleWriterExec`], [`ShuffleReaderExec`] and [`WriteFilesExec`], and tells Spark's
/// functions apart from DataFusion's functions of the same name.
#[derive(Debug, Default, Clone, Copy)]
pub struct EmberCodec;

fn decode_err(what: &str, e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Plan(format!("cannot decode {what}: {e}"))
}

impl PhysicalExtensionCodec for EmberCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let node = EmberPlanNode::decode(buf).map_err(|e| decode_err("Ember plan node", e))?;
        match node.node {
            Some(ember_plan_node::Node::ShuffleWriter(w)) => {
                let [input] = inputs else {
                    return Err(decode_err("shuffle writer", "expected exactly one input"));
                };
                let partitioning = if w.partitioning.is_empty() {
                    None
                } else {
                    let proto = protobuf::Partitioning::decode(w.partitioning.as_slice())
                        .map_err(|e| decode_err("shuffle partitioning", e))?;
                    let decode_ctx = PhysicalPlanDecodeContext::new(ctx, self);
                    parse_protobuf_partitioning(
                        Some(&proto),
                        &decode_ctx,
                        input.schema().as_ref(),
                        proto_converter,
                    )?
                };
                Ok(Arc::new(ShuffleWriterExec::try_new(
                    w.stage_id,
                    Arc::clone(input),
                    partitioning,
                )?))
            }
            Some(ember_plan_node::Node::ShuffleReader(r)) => {
                let proto = protobuf::Schema::decode(r.schema.as_slice())
                    .map_err(|e| decode_err("shuffle reader schema", e))?;
                let schema = Arc::new(Schema::try_from(&proto)?);
                let decode_ctx = PhysicalPlanDecodeContext::new(ctx, self);
                let mut equivalence = EquivalenceProperties::new(Arc::clone(&schema));
                let mut orderings = Vec::with_capacity(r.orderings.len());
                for bytes in &r.orderings {
                    let proto = protobuf::PhysicalSortExprNodeCollection::decode(bytes.as_slice())
                        .map_err(|e| decode_err("shuffle reader ordering", e))?;
                    orderings.push(parse_physical_sort_exprs(
                        &proto.physical_sort_expr_nodes,
                        &decode_ctx,
                        &schema,
                        proto_converter,
                    )?);
                }
                equivalence.add_orderings(orderings);
                for constant in &r.constants {
                    let proto = protobuf::PhysicalExprNode::decode(constant.expr.as_slice())
                        .map_err(|e| decode_err("shuffle reader constant", e))?;
                    let exprs =
                        parse_physical_exprs([&proto], &decode_ctx, &schema, proto_converter)?;
                    if constant.value.is_empty() {
                        equivalence.add_constants(
                            exprs
                                .into_iter()
                                .map(|e| ConstExpr::new(e, AcrossPartitions::Heterogeneous)),
                        )?;
                        continue;
                    }
                    let value = protobuf::ScalarValue::decode(constant.value.as_slice())
                        .map_err(|e| decode_err("shuffle reader constant value", e))?;
                    let value = ScalarValue::try_from(&value)
                        .map_err(|e| decode_err("shuffle reader constant value", e))?;
                    // Equal to its value, as the driver's optimizer had it: operators above
                    // (joins) carry a constant on through that equality.
                    for expr in exprs {
                        equivalence.add_equal_conditions(
                            Arc::clone(&expr),
                            Arc::new(Literal::new(value.clone())),
                        )?;
                    }
                }
                let partitions = r.partitions as usize;
                let partitioning = if r.partitioning.is_empty() {
                    None
                } else {
                    let proto = protobuf::Partitioning::decode(r.partitioning.as_slice())
                        .map_err(|e| decode_err("shuffle reader partitioning", e))?;
                    parse_protobuf_partitioning(
                        Some(&proto),
                        &decode_ctx,
                        &schema,
                        proto_converter,
                    )?
                };
                let partitioning = match partitioning {
                    Some(p) if p.partition_count() == partitions => p,
                    Some(p) => {
                        return Err(decode_err(
                            "shuffle reader partitioning",
                            format!(
                                "{} partitions, the reader has {partitions}",
                                p.partition_count()
                            ),
                        ));
                    }
                    None => Partitioning::UnknownPartitioning(partitions),
                };
                Ok(Arc::new(ShuffleReaderExec::with_equivalence(
                    r.stage_id,
                    schema,
                    partitioning,
                    r.pass_through,
                    equivalence,
                )))
            }
            Some(ember_plan_node::Node::WriteFiles(w)) => {
                let [input] = inputs else {
                    return Err(decode_err("file writer", "expected exactly one input"));
                };
                let spec = WriteSpec {
                    staging_dir: w.staging_dir.into(),
                    format: w.format,
                    options: w.options.into_iter().collect(),
                    partition_columns: w.partition_columns as usize,
                    file_id: w.file_id,
                };
                Ok(Arc::new(WriteFilesExec::try_new(Arc::clone(input), spec)?))
            }
            None => Err(decode_err("Ember plan node", "empty node")),
        }
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        if ember_spark::functions::random::is_random_function(node) {
            buf.extend_from_slice(RANDOM_FUNCTION);
        } else if let Some(spark) = ember_spark::state::spark_scalar_function(node.name())
            && impl_type(&spark) == impl_type(node)
        {
            buf.extend_from_slice(SPARK_FUNCTION);
        }
        Ok(())
    }

    fn try_encode_udwf(&self, node: &WindowUDF, buf: &mut Vec<u8>) -> Result<()> {
        if let Some(bytes) = FlaggedWindow::encode(node) {
            buf.extend_from_slice(&bytes);
        }
        Ok(())
    }

    fn try_encode_udaf(&self, node: &AggregateUDF, buf: &mut Vec<u8>) -> Result<()> {
        if let Some(bytes) = SparkSum::encode(node) {
            buf.extend_from_slice(bytes);
        }
        Ok(())
    }

    fn try_decode_udaf(&self, name: &str, buf: &[u8]) -> Result<Arc<AggregateUDF>> {
        SparkSum::decode(name, buf).ok_or_else(|| {
            DataFusionError::Plan(format!(
                "aggregate function {name} is not available on this executor"
            ))
        })
    }

    fn try_decode_udwf(&self, name: &str, buf: &[u8]) -> Result<Arc<WindowUDF>> {
        FlaggedWindow::decode(name, buf).ok_or_else(|| {
            DataFusionError::Plan(format!(
                "window function {name} is not available on this executor"
            ))
        })
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        // Each task's random functions start their own sequence from the seed.
        if buf == RANDOM_FUNCTION
            && let Some(f) = ember_spark::functions::random::fresh_random_function(name)
        {
            return Ok(f);
        }
        match ember_spark::state::spark_scalar_function(name) {
            Some(f) if buf == SPARK_FUNCTION => Ok(f),
            _ => Err(DataFusionError::Plan(format!(
                "function {name} is not available on this executor"
            ))),
        }
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        let node = if let Some(w) = node.downcast_ref::<ShuffleWriterExec>() {
            let partitioning = match w.shuffle_partitioning() {
                Some(p) => serialize_partitioning(p, self, proto_converter)?.encode_to_vec(),
                None => Vec::new(),
            };
            ember_plan_node::Node::ShuffleWriter(ShuffleWriterNode {
                stage_id: w.stage_id(),
                partitioning,
            })
        } else if let Some(r) = node.downcast_ref::<ShuffleReaderExec>() {
            let schema = protobuf::Schema::try_from(r.schema().as_ref())?;
            let equivalence = r.properties().equivalence_properties();
            let mut orderings = Vec::new();
            for ordering in equivalence.oeq_class().iter() {
                let nodes =
                    serialize_physical_sort_exprs(ordering.iter().cloned(), self, proto_converter)?;
                orderings.push(
                    protobuf::PhysicalSortExprNodeCollection {
                        physical_sort_expr_nodes: nodes,
                    }
                    .encode_to_vec(),
                );
            }
            // A constant's literal members say nothing an executor needs once the value is
            // carried with the expressions equal to it.
            let mut constants = Vec::new();
            for constant in equivalence.constants() {
                if constant.expr.downcast_ref::<Literal>().is_some() {
                    continue;
                }
                let [node] = <[_; 1]>::try_from(serialize_physical_exprs(
                    [&constant.expr],
                    self,
                    proto_converter,
                )?)
                .map_err(|_| {
                    DataFusionError::Internal("one expression encodes as one node".into())
                })?;
                let value = match &constant.across_partitions {
                    AcrossPartitions::Uniform(Some(value)) => {
                        protobuf::ScalarValue::try_from(value)?.encode_to_vec()
                    }
                    _ => Vec::new(),
                };
                constants.push(ReaderConstant {
                    expr: node.encode_to_vec(),
                    value,
                });
            }
            let partitioning = match r.properties().output_partitioning() {
                Partitioning::UnknownPartitioning(_) => Vec::new(),
                p => serialize_partitioning(p, self, proto_converter)?.encode_to_vec(),
            };
            ember_plan_node::Node::ShuffleReader(ShuffleReaderNode {
                stage_id: r.stage_id(),
                schema: schema.encode_to_vec(),
                partitions: r.partitions() as u32,
                pass_through: r.is_pass_through(),
                partitioning,
                orderings,
                constants,
            })
        } else if let Some(w) = node.downcast_ref::<WriteFilesExec>() {
            let spec = w.spec();
            ember_plan_node::Node::WriteFiles(WriteFilesNode {
                staging_dir: spec.staging_dir.to_string_lossy().into_owned(),
                format: spec.format.clone(),
                options: spec.options.clone().into_iter().collect(),
                partition_columns: spec.partition_columns as u32,
                file_id: spec.file_id.clone(),
            })
        } else {
            return Err(DataFusionError::NotImplemented(format!(
                "Ember cannot send operator {} to executors",
                node.name()
            )));
        };
        EmberPlanNode { node: Some(node) }
            .encode(buf)
            .map_err(|e| DataFusionError::Internal(format!("encoding Ember plan node: {e}")))
    }
}

/// Serializes a stage plan for the wire.
pub fn encode_plan(plan: Arc<dyn ExecutionPlan>) -> Result<Bytes> {
    physical_plan_to_bytes_with_extension_codec(plan, &EmberCodec)
}

/// Decodes a stage plan received from the driver.
pub fn decode_plan(bytes: &[u8], ctx: &TaskContext) -> Result<Arc<dyn ExecutionPlan>> {
    crate::error::contain_panic("task plan", || {
        physical_plan_from_bytes_with_extension_codec(bytes, ctx, &EmberCodec)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{DataType, Field};
    use datafusion::physical_expr::expressions::col;
    use datafusion::physical_plan::{Partitioning, PlanProperties};

    /// A reader keeps, across the wire, a constant column the driver's optimizer knew of: an
    /// executor's window over it must see the same ordering the plan was made for.
    #[test]
    fn readers_carry_orderings_and_constants_to_executors() -> Result<()> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("c", DataType::Int32, true),
            Field::new("d", DataType::Int32, true),
        ]));
        let mut equivalence = EquivalenceProperties::new(Arc::clone(&schema));
        let c = col("c", &schema)?;
        let d = col("d", &schema)?;
        equivalence.add_constants([ConstExpr::new(
            Arc::clone(&c),
            AcrossPartitions::Heterogeneous,
        )])?;
        equivalence.add_orderings([[datafusion::physical_expr::PhysicalSortExpr::new_default(
            Arc::clone(&d),
        )]]);
        let properties = PlanProperties::new(
            equivalence,
            Partitioning::UnknownPartitioning(2),
            datafusion::physical_plan::execution_plan::EmissionType::Incremental,
            datafusion::physical_plan::execution_plan::Boundedness::Bounded,
        );
        let reader = Arc::new(ShuffleReaderExec::with_properties(
            3,
            Arc::clone(&schema),
            false,
            properties,
        ));
        let bytes = encode_plan(reader)?;
        let ctx = TaskContext::default();
        let decoded = decode_plan(&bytes, &ctx)?;
        let equivalence = decoded.properties().equivalence_properties();
        assert!(equivalence.is_expr_constant(&c).is_some());
        assert!(
            equivalence
                .ordering_satisfy([datafusion::physical_expr::PhysicalSortExpr::new_default(d)])?
        );
        Ok(())
    }
}
