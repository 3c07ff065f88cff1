// InitProducerId (key 22), v0-5. Gives idempotent producers a fresh producer id with epoch 0; a producer
// that passes its current id and epoch (v3+) gets the epoch bumped. Transactional ids are refused: transactions
// are not supported yet.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class InitProducerIdHandler : SyncApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    public override ApiKey Key => ApiKey.InitProducerId;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override InitProducerIdResponse Handle(RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is not null)
            return new InitProducerIdResponse { ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 };
        if (request.ProducerId >= 0 && request.ProducerEpoch >= 0 && request.ProducerEpoch < short.MaxValue - 1)
            return new InitProducerIdResponse { ProducerId = request.ProducerId, ProducerEpoch = (short)(request.ProducerEpoch + 1) };
        return new InitProducerIdResponse { ProducerId = context.Broker.ProducerIds.Next(), ProducerEpoch = 0 };
    }
}
