"""The words of the tab: its help page and a tip per dataset."""

from __future__ import annotations

HELP_HTML = (
    "<h3>Decision boundary</h3>"
    "<p>A small neural network learns to tell two (or more) kinds of points apart. "
    "The big view colours the plane by the class the network predicts (paler = less sure); "
    "the dark line is its decision boundary. Filled dots train the network, hollow dots "
    "test it.</p>"
    "<ul><li><b>Space</b> play/pause, <b>S</b> one epoch, <b>R</b> new initial weights.</li>"
    "<li>Click the plane to add a point, right-click (or Shift+click) for the other class, "
    "Ctrl+click to remove one.</li>"
    "<li>Hover a neuron to see what it responds to; hover a weight to read it, click it "
    "to set it.</li>"
    "<li>0 hidden layers is a single neuron: its boundary is a line. Set its weights "
    "with the sliders, or drag the line on the plane (the dot moves it, the arrow turns "
    "and sharpens it), then press play and watch gradient descent do it.</li>"
    "<li><b>Pin run</b> keeps the run shown (settings, curves, final numbers, time and its "
    "boundary): its curves stay on the plots, dashed, and <i>Compare runs</i> lists every "
    "pinned run with the settings that differ from now highlighted, their boundaries side "
    "by side, and one-click races such as <i>Optimizers on the spiral</i>.</li>"
    "<li><b>Explain a point…</b>, then click the plane: the Backprop tab shows that point's "
    "loss as a graph with the current weights (a single neuron or up to 2 hidden layers of "
    "4, two classes); its SGD step comes back here.</li>"
    "<li><b>Ctrl+S</b>/<b>Ctrl+O</b> save/open the whole experiment, pinned runs "
    "included.</li></ul>"
)

TIPS = {
    "fruit": "Remove both hidden layers: a single neuron draws a straight line. How close does "
    "it get? Then bend the line with a hidden layer, or tick x₁².",
    "circle": "No straight line can do this. A single neuron with x₁² and x₂² can; so can one "
    "hidden layer of 3 or more neurons.",
    "xor": "Try the single feature x₁·x₂ with no hidden layer, or one layer of 4 ReLU neurons.",
    "gauss": "Easy, even for one neuron. Raise the noise and watch the test loss; set 3 to 5 "
    "classes and see softmax share the plane.",
    "spiral": "Hard: 2 layers of 8 tanh neurons with Adam at 0.03, or add the sin features. "
    "Then try ReLU and compare the boundaries.",
    "moons": "One hidden layer of 4 to 6 tanh neurons bends the boundary around the moons. "
    "Hover a neuron to see which part each one draws.",
}
