global using KafkaConnect.Connect.Avro.Schemas;
global using KafkaConnect.Connect.Data;
global using KafkaConnect.Connect.Errors;
global using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;
