using System;
using BackpropGen.GradBench;
using BackpropGen.GradBench.Evals;

// The GradBench tool: the protocol on stdin and stdout, every eval implemented here.
new ProtocolSession(Modules.All).Run(Console.In, Console.Out);
