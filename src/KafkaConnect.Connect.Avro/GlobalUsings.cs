global using KafkaConnect.Connect.Data;
global using KafkaConnect.Connect.Errors;
global using KafkaConnect.Schemas.Avro;
global using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;
