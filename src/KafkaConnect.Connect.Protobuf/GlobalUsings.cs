global using KafkaConnect.Schemas.Protobuf;
// The one protobuf wire reader (KafkaConnect.Schemas'), throwing Connect's DataException here.
global using ProtoReader = KafkaConnect.Schemas.Protobuf.ProtoWireReader<KafkaConnect.Connect.Protobuf.DataErrors>;
global using WireType = KafkaConnect.Schemas.Protobuf.ProtoWireType;
