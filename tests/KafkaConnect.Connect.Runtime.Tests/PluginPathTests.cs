using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Connect.Runtime.Tests;

/// <summary>Compiles a connector plugin at test time with the SDK's own C# compiler and loads it from plugin.path.</summary>
public sealed class PluginPathTests : IClassFixture<BrokerFixture>
{
    private const string PluginSource = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using KafkaConnect.Connect.Configuration;
        using KafkaConnect.Connect.Data;
        using KafkaConnect.Connect.Plugins;
        using KafkaConnect.Connect.Sources;

        namespace Acme.Plugin;

        [ConnectPlugin("com.acme.connect.TickSourceConnector")]
        public sealed class TickSourceConnector : SourceConnector
        {
            private IReadOnlyDictionary<string, string> _props = new Dictionary<string, string>();
            public override string Version() => "7.7.7";
            public override void Start(IReadOnlyDictionary<string, string> props) => _props = props;
            public override Type TaskClass => typeof(TickSourceTask);
            public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks) => new[] { _props };
            public override void Stop() { }
            public override ConfigDef Config() => new ConfigDef().Define("topic", ConfigType.String, ConfigDef.NoDefaultValue, Importance.High, "Topic.");
        }

        public sealed class TickSourceTask : SourceTask
        {
            private string _topic = "";
            private long _n;
            public override string Version() => "7.7.7";
            public override void Start(IReadOnlyDictionary<string, string> props) => _topic = props["topic"];
            public override async ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
            {
                await Task.Delay(50, cancellationToken);
                _n++;
                return new[] { new SourceRecord(new Dictionary<string, object?> { ["p"] = "tick" }, new Dictionary<string, object?> { ["n"] = _n }, _topic, Schema.StringSchema, "tick" + _n) };
            }
            public override void Stop() { }
        }
        """;

    private readonly BrokerFixture _broker;

    public PluginPathTests(BrokerFixture broker) => _broker = broker;

    /// <summary>Builds Acme.Plugin.dll into dir with csc from the running SDK (no NuGet restore needed).</summary>
    private static void CompilePlugin(string dir)
    {
        var sdkRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var csc = Directory.GetFiles(Path.Combine(sdkRoot, "sdk"), "csc.dll", SearchOption.AllDirectories)
            .Where(p => p.Contains(Path.Combine("Roslyn", "bincore"), StringComparison.Ordinal)).Order(StringComparer.Ordinal).Last();
        var refDir = Directory.GetDirectories(Path.Combine(sdkRoot, "packs", "Microsoft.NETCore.App.Ref"))
            .Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "ref", "net" + Environment.Version.Major + ".0")).Last(Directory.Exists);
        var source = Path.Combine(dir, "TickSource.cs");
        File.WriteAllText(source, PluginSource);
        var rsp = new List<string>
        {
            "-nologo", "-target:library", "-nullable:enable", "-langversion:latest", "-noconfig", "-nostdlib+",
            "-out:" + Path.Combine(dir, "Acme.Plugin.dll"),
            "-r:" + typeof(Connector).Assembly.Location,
        };
        rsp.AddRange(Directory.GetFiles(refDir, "*.dll").Select(r => "-r:" + r));
        rsp.Add(source);
        var rspFile = Path.Combine(dir, "csc.rsp");
        File.WriteAllLines(rspFile, rsp.Select(a => "\"" + a + "\""));
        var psi = new ProcessStartInfo(Path.Combine(sdkRoot, "dotnet"), [csc, "@" + rspFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "csc failed: " + output);
        File.Delete(source);
        File.Delete(rspFile);
    }

    [Fact]
    public async Task PluginFromPluginPath_IsListed_Created_Runs_InItsOwnLoadContext_SharingTheApi()
    {
        var pluginPath = Directory.CreateTempSubdirectory("kc-plugin-path-").FullName;
        var pluginDir = Directory.CreateDirectory(Path.Combine(pluginPath, "acme-tick")).FullName;
        CompilePlugin(pluginDir);
        // A plugin shipping its own copy of the Connect API must still get the host's.
        File.Copy(typeof(Connector).Assembly.Location, Path.Combine(pluginDir, Path.GetFileName(typeof(Connector).Assembly.Location)));

        var registry = PluginRegistry.Create([pluginPath]);
        Assert.True(registry.TryResolve("com.acme.connect.TickSourceConnector", out var type));
        Assert.True(registry.TryResolve("TickSource", out var byAlias));
        Assert.Same(type, byAlias);
        var context = AssemblyLoadContext.GetLoadContext(type.Assembly)!;
        Assert.NotSame(AssemblyLoadContext.Default, context);
        Assert.NotSame(AssemblyLoadContext.GetLoadContext(typeof(PluginPathTests).Assembly), context);
        Assert.StartsWith("kconnect-plugin:", context.Name, StringComparison.Ordinal);
        Assert.Same(typeof(Connector).Assembly, type.BaseType!.BaseType!.Assembly); // SourceConnector → Connector from the host
        Assert.True(typeof(Connect.Sources.SourceConnector).IsAssignableFrom(type));
        Assert.DoesNotContain(context.Assemblies, a => a.GetName().Name == typeof(Connector).Assembly.GetName().Name);

        var topic = "tick-" + Guid.NewGuid().ToString("N")[..8];
        var offsets = Path.Combine(pluginPath, "connect.offsets");
        // As kconnect standalone wires it: the worker's plugin.path feeds the registry.
        var config = new WorkerConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = _broker.BootstrapServers,
            ["key.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["value.converter"] = "org.apache.kafka.connect.storage.StringConverter",
            ["offset.storage.file.filename"] = offsets,
            ["plugin.path"] = pluginPath,
        });
        var plugins = PluginRegistry.Create(config.GetList(WorkerConfig.PluginPath));
        var worker = new Worker.Worker(config, plugins, new FileOffsetBackingStore(offsets), new StatusStore(config.WorkerId()), NullLoggerFactory.Instance);
        await using var herder = new StandaloneHerder(worker, "test-cluster", NullLoggerFactory.Instance);
        herder.Start();
        Assert.Contains(herder.Plugins(connectorsOnly: true),
            p => p.ClassName == "com.acme.connect.TickSourceConnector" && p.Type == PluginType.Source && p.Version == "7.7.7");

        await herder.PutConnectorConfigAsync("tick", new Dictionary<string, string>
        {
            ["connector.class"] = "com.acme.connect.TickSourceConnector", ["topic"] = topic,
        }, allowReplace: false);
        var id = new ConnectorTaskId("tick", 0);
        await Harness.WaitUntilAsync(async () => (await herder.TaskStatusAsync(id)).State == ConnectorState.Running);
        await Harness.WaitUntilAsync(async () => (await herder.ConnectorActiveTopicsAsync("tick")).Contains(topic));
        Assert.Equal(ConnectorState.Running, (await herder.ConnectorStatusAsync("tick")).Connector.State);
        await herder.DeleteConnectorAsync("tick");
    }
}
