global using KafkaConnect.Schemas.Protobuf;
