/* echarts-custom.js: the entry of the page's own ECharts build (`make web`, esbuild from
 * the lockfile): only the charts and components the page draws, exposed as window.echarts
 * with the calls app.js makes (init, getInstanceByDom). */
import * as echarts from 'echarts/core';
import { BarChart, GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GaugeChart, LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent,
  AriaComponent, CanvasRenderer]);
window.echarts = echarts;
